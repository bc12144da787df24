//! How notifications reach people: each user's delivery preference, the e-mails made from a
//! notification (never a client name or other personal data: only what happened and a link,
//! HMIS privacy), the outbox's retry schedule, and the timeliness transitions the scheduled
//! sweep tells both sides about.

use super::timeliness::is_overdue;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How a user wants to hear of notifications (`users.notification_delivery`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// In Threshold only: the bell and the list.
    #[default]
    InApp,
    /// An e-mail for each notification as it happens.
    EmailNow,
    /// One e-mail a day listing the day's unread notifications.
    DailyDigest,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::InApp, Delivery::EmailNow, Delivery::DailyDigest];

    pub const fn stored(self) -> &'static str {
        match self {
            Self::InApp => "in_app",
            Self::EmailNow => "email_now",
            Self::DailyDigest => "daily_digest",
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.stored() == stored)
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::InApp => "In Threshold only",
            Self::EmailNow => "By e-mail as each one happens",
            Self::DailyDigest => "By e-mail in a daily digest",
        }
    }

    pub const fn uses_email(self) -> bool {
        !matches!(self, Self::InApp)
    }
}

/// The "Notification delivery" form (`delivery[...]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliveryDraft {
    /// A [`Delivery::stored`] value.
    pub choice: String,
    /// The user's version the form was read at (the edit guard).
    pub version: String,
}

/// The form field of the delivery choice (the key of its error).
pub const DELIVERY_FIELD: &str = "choice";

/// Checks a delivery choice: one of the offered ones, and an e-mail choice only for a user with
/// an e-mail address on file.
pub fn validate_delivery(choice: &str, has_email: bool) -> Result<Delivery, &'static str> {
    let delivery = Delivery::from_stored(choice.trim()).ok_or("Choose how to be notified.")?;
    if delivery.uses_email() && !has_email {
        return Err("You have no e-mail address on file: ask your System Administrator to add one, or choose In Threshold only.");
    }
    Ok(delivery)
}

/// An e-mail as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub body: String,
}

/// The longest subject line (characters); the column holds 200.
const SUBJECT_MAX: usize = 150;

/// The most notifications one digest lists (the rest are behind the link to the list).
pub const DIGEST_MAX_ITEMS: usize = 50;

/// The longest body the outbox keeps (characters; the column holds 20,000).
pub const BODY_MAX: usize = 20_000;

/// The e-mail of one notification. `message` is the notification's text, which names the
/// project and what happened, never the client; `link` is its absolute address.
pub fn notification_email(message: &str, link: &str) -> Email {
    let subject: String = format!("Threshold: {message}")
        .chars()
        .take(SUBJECT_MAX)
        .collect();
    Email {
        subject,
        body: format!(
            "{message}\n\nOpen it in Threshold (sign-in required):\n{link}\n\n\
             You get this e-mail because your notification delivery is \"{}\"; change it on \
             the Notifications page.\n",
            Delivery::EmailNow.label()
        ),
    }
}

/// The daily digest of `items` (message, absolute link), newest first; `list_link` is the
/// Notifications page. `None` when there is nothing to tell.
pub fn digest_email(day: NaiveDate, items: &[(String, String)], list_link: &str) -> Option<Email> {
    if items.is_empty() {
        return None;
    }
    let count = items.len();
    let mut body = format!(
        "{} unread notification{} in Threshold on {}:\n\n",
        count,
        if count == 1 { "" } else { "s" },
        day.format("%m/%d/%Y")
    );
    for (message, link) in items.iter().take(DIGEST_MAX_ITEMS) {
        body.push_str(&format!("- {message}\n  {link}\n"));
    }
    // 50 items of 300 characters with long links stay far below the column's limit; a body that
    // would not is cut, never refused (a refusal would roll back the whole job's run).
    let body: String = if body.chars().count() > BODY_MAX - 1000 {
        body.chars().take(BODY_MAX - 1000).collect()
    } else {
        body
    };
    let mut body = body;
    if count > DIGEST_MAX_ITEMS {
        body.push_str(&format!("\nand {} more.\n", count - DIGEST_MAX_ITEMS));
    }
    body.push_str(&format!(
        "\nAll of them (sign-in required): {list_link}\n\nYou get this e-mail because your \
         notification delivery is \"{}\"; change it on the Notifications page.\n",
        Delivery::DailyDigest.label()
    ));
    Some(Email {
        subject: format!(
            "Threshold: {count} unread notification{} ({})",
            if count == 1 { "" } else { "s" },
            day.format("%m/%d/%Y")
        ),
        body,
    })
}

/// How many times the outbox tries a message before it marks it failed.
pub const MAX_SEND_ATTEMPTS: i32 = 8;

/// How long the outbox waits after the `attempts`-th failed try: 30 s doubling each time, at
/// most 6 hours (the eight tries of [`MAX_SEND_ATTEMPTS`] span about an hour).
pub fn retry_after(attempts: i32) -> chrono::Duration {
    let doublings = attempts.clamp(1, 30) - 1;
    let seconds = 30i64.saturating_mul(1i64 << doublings.min(20));
    chrono::Duration::seconds(seconds.min(6 * 3600))
}

/// Whether a failed try was the last one.
pub fn gives_up_after(attempts: i32) -> bool {
    attempts >= MAX_SEND_ATTEMPTS
}

/// What the timeliness sweep tells both sides about an open referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transition {
    /// Its Referral Need Status is due tomorrow.
    DueTomorrow,
    /// Today is past its due date (the Counts widget's "overdue").
    Overdue,
}

impl Transition {
    pub const fn stored(self) -> &'static str {
        match self {
            Self::DueTomorrow => "due_tomorrow",
            Self::Overdue => "overdue",
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        [Self::DueTomorrow, Self::Overdue]
            .into_iter()
            .find(|t| t.stored() == stored)
    }

    /// The transition a referral due on `due` is in on `today`, if any.
    pub fn of(due: Option<NaiveDate>, today: NaiveDate) -> Option<Self> {
        let due = due?;
        if is_overdue(Some(due), today) {
            Some(Self::Overdue)
        } else if today.succ_opt() == Some(due) {
            Some(Self::DueTomorrow)
        } else {
            None
        }
    }

    /// The notification's text: the project, never the client.
    pub fn message(self, project: &str) -> String {
        let text = match self {
            Self::DueTomorrow => {
                format!(
                    "A referral to {project} is due tomorrow under the CoC's timeliness standards."
                )
            }
            Self::Overdue => {
                format!("A referral to {project} is overdue under the CoC's timeliness standards.")
            }
        };
        text.chars().take(300).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn delivery_choices_round_trip_and_need_an_address_for_email() {
        for delivery in Delivery::ALL {
            assert_eq!(Delivery::from_stored(delivery.stored()), Some(delivery));
            assert_eq!(validate_delivery(delivery.stored(), true), Ok(delivery));
        }
        assert_eq!(validate_delivery("in_app", false), Ok(Delivery::InApp));
        assert_eq!(validate_delivery(" in_app ", false), Ok(Delivery::InApp));
        assert!(validate_delivery("email_now", false)
            .unwrap_err()
            .contains("no e-mail address"));
        assert!(validate_delivery("daily_digest", false).is_err());
        assert_eq!(
            validate_delivery("", true),
            Err("Choose how to be notified.")
        );
        assert!(validate_delivery("sms", true).is_err());
        assert!(!Delivery::InApp.uses_email());
        assert!(Delivery::EmailNow.uses_email() && Delivery::DailyDigest.uses_email());
        assert_eq!(Delivery::default(), Delivery::InApp);
    }

    #[test]
    fn stored_values_are_those_the_tables_accept() {
        let migration =
            include_str!("../../../migrations/20261204000015_notification_delivery.sql");
        for delivery in Delivery::ALL {
            assert!(migration.contains(&format!("'{}'", delivery.stored())));
        }
        for transition in [Transition::DueTomorrow, Transition::Overdue] {
            assert!(migration.contains(&format!("'{}'", transition.stored())));
            assert_eq!(
                Transition::from_stored(transition.stored()),
                Some(transition)
            );
        }
        assert_eq!(Transition::from_stored("late"), None);
    }

    #[test]
    fn an_email_says_what_happened_and_where_and_nothing_else() {
        let email = notification_email(
            "A referral to Northside PSH was returned for rematch: No unit available.",
            "https://threshold.example/clients/7/ce-events/9",
        );
        assert_eq!(
            email.subject,
            "Threshold: A referral to Northside PSH was returned for rematch: No unit available."
        );
        assert!(email.body.starts_with(
            "A referral to Northside PSH was returned for rematch: No unit available.\n\n"
        ));
        assert!(email
            .body
            .contains("\nhttps://threshold.example/clients/7/ce-events/9\n"));
        assert!(email.body.contains("By e-mail as each one happens"));
        let long = notification_email(&"x".repeat(300), "https://t/x");
        assert_eq!(long.subject.chars().count(), SUBJECT_MAX);
        let exact = notification_email(&"y".repeat(SUBJECT_MAX - 11), "https://t/x");
        assert_eq!(exact.subject.chars().count(), SUBJECT_MAX);
        assert!(exact.subject.ends_with('y'));
    }

    #[test]
    fn a_digest_lists_the_unread_and_caps_the_list() {
        let day = d("2026-12-04");
        assert_eq!(digest_email(day, &[], "https://t/notifications"), None);
        let one = digest_email(
            day,
            &[("New referral to P.".into(), "https://t/a".into())],
            "https://t/notifications",
        )
        .unwrap();
        assert_eq!(one.subject, "Threshold: 1 unread notification (12/04/2026)");
        assert!(one.body.starts_with("1 unread notification in Threshold on 12/04/2026:\n\n- New referral to P.\n  https://t/a\n"));
        assert!(one
            .body
            .contains("All of them (sign-in required): https://t/notifications"));
        assert!(!one.body.contains("more."));
        let items: Vec<(String, String)> = (0..DIGEST_MAX_ITEMS + 2)
            .map(|i| (format!("Item {i}."), format!("https://t/{i}")))
            .collect();
        let many = digest_email(day, &items, "https://t/n").unwrap();
        assert_eq!(
            many.subject,
            "Threshold: 52 unread notifications (12/04/2026)"
        );
        assert!(many.body.contains("- Item 49.\n"));
        assert!(!many.body.contains("- Item 50.\n"));
        assert!(many.body.contains("\nand 2 more.\n"));
        let one_more = digest_email(day, &items[..DIGEST_MAX_ITEMS + 1], "https://t/n").unwrap();
        assert!(one_more.body.contains("\nand 1 more.\n"));
        // However long the links, the body fits the outbox's column.
        let long: Vec<(String, String)> = (0..DIGEST_MAX_ITEMS)
            .map(|i| {
                (
                    "m".repeat(300),
                    format!("https://t/{}/{i}", "x".repeat(2000)),
                )
            })
            .collect();
        let capped = digest_email(day, &long, "https://t/n").unwrap();
        assert!(capped.body.chars().count() <= BODY_MAX);
        assert!(capped
            .body
            .ends_with("change it on the Notifications page.\n"));
        let exactly = digest_email(day, &items[..DIGEST_MAX_ITEMS], "https://t/n").unwrap();
        assert!(exactly.body.contains("- Item 49.\n"));
        assert!(!exactly.body.contains("more."));
    }

    #[test]
    fn retries_back_off_doubling_up_to_six_hours_and_stop_at_the_limit() {
        assert_eq!(retry_after(0), chrono::Duration::seconds(30));
        assert_eq!(retry_after(1), chrono::Duration::seconds(30));
        assert_eq!(retry_after(2), chrono::Duration::seconds(60));
        assert_eq!(retry_after(3), chrono::Duration::seconds(120));
        assert_eq!(retry_after(8), chrono::Duration::seconds(30 * 128));
        assert_eq!(retry_after(11), chrono::Duration::seconds(6 * 3600));
        assert_eq!(retry_after(10), chrono::Duration::seconds(30 * 512));
        assert_eq!(retry_after(i32::MAX), chrono::Duration::seconds(6 * 3600));
        assert_eq!(retry_after(-5), chrono::Duration::seconds(30));
        assert!(!gives_up_after(MAX_SEND_ATTEMPTS - 1));
        assert!(gives_up_after(MAX_SEND_ATTEMPTS));
        assert!(gives_up_after(MAX_SEND_ATTEMPTS + 1));
    }

    #[test]
    fn transitions_start_on_the_day_itself() {
        let due = Some(d("2026-12-10"));
        assert_eq!(Transition::of(due, d("2026-12-08")), None);
        assert_eq!(
            Transition::of(due, d("2026-12-09")),
            Some(Transition::DueTomorrow)
        );
        assert_eq!(
            Transition::of(due, d("2026-12-10")),
            None,
            "due today is not overdue yet"
        );
        assert_eq!(
            Transition::of(due, d("2026-12-11")),
            Some(Transition::Overdue)
        );
        assert_eq!(
            Transition::of(due, d("2027-06-01")),
            Some(Transition::Overdue)
        );
        assert_eq!(Transition::of(None, d("2026-12-11")), None);
        assert_eq!(
            Transition::DueTomorrow.message("Northside PSH"),
            "A referral to Northside PSH is due tomorrow under the CoC's timeliness standards."
        );
        assert_eq!(
            Transition::Overdue.message("Northside PSH"),
            "A referral to Northside PSH is overdue under the CoC's timeliness standards."
        );
        assert_eq!(
            Transition::Overdue
                .message(&"p".repeat(400))
                .chars()
                .count(),
            300
        );
    }
}
