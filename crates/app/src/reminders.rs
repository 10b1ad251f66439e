//! Reminders (提醒): who is told what, and the e-mail that carries them when an SMTP server is
//! configured (off by default). `run` looks at every station on a day and stores what is due —
//! drafts waiting for revision too long (their mentor and the editors), units and people
//! behind pace at a month's end (the unit's liaisons or the person, and the editors), the
//! objection window of a notice about to close (the editors and the correspondents), targets
//! met — once per occasion; then it mails what users asked to get by mail. `serve` runs it
//! every ten minutes; `tonglian reminders run` runs it once.

use crate::Result;
use domain::reminders::{DEFAULT_REVISION_DAYS, key, month_end_to_check, objection_closing, waiting_too_long};
use domain::targets::PaceStatus;
use domain::{ReminderKind, Role, StatementStatus, StationId, UserId};
use store::{NewNotification, ProgressRow, Scope, Store, User};
use time::Date;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunReport {
    pub created: usize,
    pub emailed: usize,
    pub email_failures: usize,
}

/// Sends reminders by e-mail through an SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Mailer {
    /// A mailer for `url` (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://user:pass@host:465`) sending from `from`.
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP 地址无效：{e}"))?
            .build();
        let from = from.parse().map_err(|e| format!("发件人地址无效：{e}"))?;
        Ok(Mailer { transport, from })
    }

    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        use lettre::AsyncTransport;
        let to = to.parse().map_err(|e| format!("收件人地址无效：{e}"))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Stores every reminder due on `today` and mails the unsent ones users want by mail.
pub async fn run(store: &Store, mailer: Option<&Mailer>, today: Date) -> Result<RunReport> {
    let mut report = RunReport::default();
    for station in store.stations().await? {
        report.created += station_reminders(store, station.id, station.revision_days.into(), today).await?;
    }
    if let Some(mailer) = mailer {
        for (n, address) in store.unsent_emails(200).await? {
            let body = if n.link.is_empty() { n.body.clone() } else { format!("{}\n\n{}", n.body, n.link) };
            match mailer.send(&address, &n.title, &body).await {
                Ok(()) => report.emailed += 1,
                Err(e) => {
                    // Logged without the address; the notification stays in the site.
                    tracing::warn!(notification = n.id, error = %e, "reminder e-mail failed");
                    report.email_failures += 1;
                }
            }
            store.mark_emailed(n.id).await?;
        }
    }
    Ok(report)
}

async fn station_reminders(store: &Store, station: StationId, revision_days: i64, today: Date) -> Result<usize> {
    let users: Vec<User> = store.users(Scope::Station(station)).await?.into_iter().filter(|u| u.active).collect();
    let editors: Vec<UserId> = users.iter().filter(|u| u.role.is_staff()).map(|u| u.id).collect();
    let mut due: Vec<NewNotification> = Vec::new();
    let mut tell = |to: &[UserId], kind: ReminderKind, subject: String, title: String, body: String, link: String| {
        let mut seen = Vec::new();
        for u in to {
            if seen.contains(u) {
                continue;
            }
            seen.push(*u);
            due.push(NewNotification {
                user_id: *u,
                station_id: Some(station),
                kind,
                key: key(kind, &subject),
                title: title.clone(),
                body: body.clone(),
                link: link.clone(),
            });
        }
    };

    // Drafts waiting for revision.
    let days = if revision_days > 0 { revision_days } else { DEFAULT_REVISION_DAYS };
    for w in store.waiting_drafts(station).await? {
        let Ok(at) = time::OffsetDateTime::from_unix_timestamp(w.submitted_at) else { continue };
        let submitted_on = at.to_offset(domain::CHINA_OFFSET).date();
        if waiting_too_long(submitted_on, today, days) {
            let mut to: Vec<UserId> = w.mentor.into_iter().collect();
            to.extend(&editors);
            let waited = (today - submitted_on).whole_days();
            tell(
                &to,
                ReminderKind::DraftWaiting,
                w.id.to_string(),
                format!("稿件《{}》已等待修改{waited}天", w.title),
                format!("该稿件于{}投稿，至今未修改或处理。", domain::format_date(submitted_on)),
                format!("/manuscripts/{}", w.id),
            );
        }
    }

    // Month end: who is behind the calendar's pace.
    if let Some(end) = month_end_to_check(today) {
        let rows = store.progress(station, end.year(), end).await?;
        let month = format!("{:04}-{:02}", end.year(), u8::from(end.month()));
        for r in rows.iter().filter(|r| r.progress.is_weak()) {
            let mut to = recipients(&users, r);
            to.extend(&editors);
            tell(
                &to,
                ReminderKind::UnitBehind,
                format!("{}:{month}", r.target.id),
                format!("{}{}落后于进度", r.target.owner_name, r.target.metric_label("zh")),
                format!(
                    "截至{}，目标{}，按进度应完成{}，已完成{}，差{}。",
                    domain::format_date(end),
                    r.progress.target,
                    r.progress.expected,
                    r.progress.achieved,
                    r.progress.shortfall
                ),
                format!("/progress?year={}&as_of={}", end.year(), domain::format_date(end)),
            );
        }
    }

    // Targets met this year.
    let rows = store.progress(station, today.year(), today).await?;
    for r in rows.iter().filter(|r| r.progress.status == PaceStatus::Met && r.progress.target > 0) {
        let mut to = recipients(&users, r);
        to.extend(&editors);
        tell(
            &to,
            ReminderKind::TargetMet,
            r.target.id.to_string(),
            format!("{}{}目标已完成", r.target.owner_name, r.target.metric_label("zh")),
            format!("目标{}，已完成{}。", r.progress.target, r.progress.achieved),
            format!("/progress?year={}", today.year()),
        );
    }

    // Notices whose objection window closes soon: the editors, and the correspondents who
    // may still object.
    let writers: Vec<UserId> = users.iter().filter(|u| u.correspondent_id.is_some()).map(|u| u.id).collect();
    for s in store.statements(station).await? {
        if s.status != StatementStatus::Published {
            continue;
        }
        if let Some(until) = s.objection_until.filter(|u| objection_closing(*u, today)) {
            let mut to = editors.clone();
            to.extend(&writers);
            tell(
                &to,
                ReminderKind::ObjectionClosing,
                s.id.to_string(),
                format!("{}公示的异议期将于{}结束", s.period, domain::format_date(until)),
                "对公示内容有异议的，请在异议期内提出。".into(),
                format!("/statements/{}", s.id),
            );
        }
    }

    let mut created = 0;
    for n in due {
        if store.notify(n).await? {
            created += 1;
        }
    }
    Ok(created)
}

/// Who a target's reminders go to besides the editors: the unit's liaisons, or the
/// correspondent's own account.
fn recipients(users: &[User], r: &ProgressRow) -> Vec<UserId> {
    users
        .iter()
        .filter(|u| match (r.target.unit_id, r.target.correspondent_id) {
            (_, Some(c)) => u.correspondent_id == Some(c),
            (Some(unit), None) => u.role == Role::Liaison && u.unit_id == Some(unit),
            (None, None) => false,
        })
        .map(|u| u.id)
        .collect()
}
