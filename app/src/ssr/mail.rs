//! What the app needs to know of e-mail: the site's public address (e-mails carry absolute links)
//! and whether a mail server is configured (without one, the System Administrator reads the
//! outbox). Set once by the server at start.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static PUBLIC_URL: OnceLock<String> = OnceLock::new();
static SENDING: AtomicBool = AtomicBool::new(false);

/// Records the site as people address it (`THRESHOLD_PUBLIC_URL`) and whether an SMTP server
/// sends the outbox (`THRESHOLD_SMTP_URL`). The first address set stays.
pub fn configure(public_url: &str, sending: bool) {
    let _ = PUBLIC_URL.set(public_url.trim_end_matches('/').to_string());
    SENDING.store(sending, Ordering::Relaxed);
}

/// `link` (a path such as `/clients/7/ce-events/9`) as an absolute address.
pub fn absolute(link: &str) -> String {
    let base = PUBLIC_URL
        .get()
        .map(String::as_str)
        .unwrap_or("http://localhost:3000");
    format!("{base}{link}")
}

/// Whether a mail server sends the outbox.
pub fn sending() -> bool {
    SENDING.load(Ordering::Relaxed)
}
