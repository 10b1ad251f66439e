//! Who is asking: the signed-in user and the station they work in. Every use case takes one.

use crate::{Error, Result};
use domain::{Role, StationId};
use store::{Scope, User};

/// The user a use case acts for.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    /// The station the user works in: their own, or for a headquarters account the one chosen.
    pub station: Option<StationId>,
}

impl Actor {
    /// An actor working in the user's own station.
    pub fn new(user: User) -> Actor {
        Actor { station: user.station_id, user }
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    /// The stations whose rows the user may read: their own, or all for headquarters.
    pub fn scope(&self) -> Scope {
        self.user.scope()
    }

    /// The station to write into. Headquarters accounts must have chosen one.
    pub fn station(&self) -> Result<StationId> {
        self.station.ok_or_else(|| Error::BadRequest("请先选择通联站".into()))
    }

    pub fn is_hq(&self) -> bool {
        self.user.station_id.is_none()
    }
}
