//! Who may do what. One place for the rules, so pages and the API enforce the same ones and
//! the permission-matrix test has one thing to check.

use crate::Actor;
use crate::{Error, Result};
use domain::{ManuscriptStatus, Role};
use store::{Manuscript, Visibility};

/// Fails with 403 unless `allowed`.
pub fn require(allowed: bool) -> Result<()> {
    if allowed { Ok(()) } else { Err(Error::Forbidden) }
}

/// Units, outlets, correspondents, placements, imports: the station's editors and administrators.
pub fn can_manage_network(role: Role) -> bool {
    role.is_staff()
}

/// Reading the network's lists: everyone but correspondents (who see only their own work).
pub fn can_view_network(role: Role) -> bool {
    !matches!(role, Role::Correspondent)
}

/// Writing, publishing and unpublishing on the public portal: editors and administrators.
pub fn can_edit_portal(role: Role) -> bool {
    role.is_staff()
}

/// Accounts: administrators only.
pub fn can_manage_users(role: Role) -> bool {
    matches!(role, Role::Admin)
}

/// Accepting and returning manuscripts: editors and administrators.
pub fn can_decide(role: Role) -> bool {
    role.is_staff()
}

/// Exports: everyone who can read the network's lists.
pub fn can_export(role: Role) -> bool {
    can_view_network(role)
}

/// Whose manuscripts the user's lists show.
pub fn manuscript_visibility(actor: &Actor) -> Visibility {
    match actor.role() {
        Role::Admin | Role::Editor | Role::Leader => Visibility::Station,
        Role::Mentor => Visibility::Mentor(actor.user.id),
        Role::Liaison => match actor.user.unit_id {
            Some(u) => Visibility::Unit(u),
            None => Visibility::Station,
        },
        Role::Correspondent => match actor.user.correspondent_id {
            Some(c) => Visibility::Author(c),
            // An account not linked to a correspondent has no manuscripts.
            None => Visibility::Author(domain::CorrespondentId(-1)),
        },
    }
}

/// Whether the user may open a manuscript. `mentor_of_author` is the mentor assigned to the
/// manuscript's owner. Authors always see their own; others never see drafts.
pub fn can_see_manuscript(actor: &Actor, m: &Manuscript, mentor_of_author: Option<domain::UserId>) -> bool {
    if !actor.scope().allows(m.station_id) {
        return false;
    }
    if actor.user.correspondent_id.is_some_and(|c| m.has_author(c)) {
        return true;
    }
    if m.status == ManuscriptStatus::Draft {
        return false;
    }
    match actor.role() {
        Role::Admin | Role::Editor | Role::Leader => true,
        Role::Mentor => mentor_of_author == Some(actor.user.id),
        Role::Liaison => actor.user.unit_id.is_some() && actor.user.unit_id == m.unit_id,
        Role::Correspondent => false,
    }
}

/// Whether the user may revise a manuscript they can see.
pub fn can_revise(actor: &Actor, m: &Manuscript, mentor_of_author: Option<domain::UserId>) -> bool {
    let allowed = match actor.role() {
        Role::Admin | Role::Editor => true,
        Role::Mentor => mentor_of_author == Some(actor.user.id),
        _ => false,
    };
    allowed && m.status == ManuscriptStatus::Submitted
}

/// Whether the user owns the manuscript (may edit and submit it).
pub fn is_owner(actor: &Actor, m: &Manuscript) -> bool {
    actor.user.correspondent_id == Some(m.author_id)
}
