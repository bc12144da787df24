//! The app's addresses, built in one place from typed ids (the routes are declared in `lib.rs`;
//! a test below keeps the two in step). Values in a query string are percent-encoded.

/// `/clients/{client}/ce-events`: the client's Coordinated Entry Event page.
pub fn client_ce_events(client_id: i64) -> String {
    format!("/clients/{client_id}/ce-events")
}

/// `/clients/{client}/ce-events/{event}`: the CE Event form.
pub fn ce_event(client_id: i64, event_id: i64) -> String {
    format!("/clients/{client_id}/ce-events/{event_id}")
}

/// `/clients/{client}/refer`: "Refer to housing opening".
pub fn refer(client_id: i64) -> String {
    format!("/clients/{client_id}/refer")
}

/// `/clients/{client}/referrals`: the Client Referrals page.
pub fn client_referrals(client_id: i64) -> String {
    format!("/clients/{client_id}/referrals")
}

/// `/clients/{client}/referrals/{referral}`: the Referral Outcome form.
pub fn referral(client_id: i64, referral_id: i64) -> String {
    format!("/clients/{client_id}/referrals/{referral_id}")
}

/// `/clients/{client}/enrollments`: the client's Enrollments.
pub fn client_enrollments(client_id: i64) -> String {
    format!("/clients/{client_id}/enrollments")
}

/// `/clients/{client}/enrollments/{enrollment}`: one enrollment with its household and exit.
pub fn enrollment(client_id: i64, enrollment_id: i64) -> String {
    format!("/clients/{client_id}/enrollments/{enrollment_id}")
}

/// The Clients workspace (search).
pub const CLIENTS: &str = "/clients";

/// The Priority List Manager's queue of returns awaiting review.
pub const RETURNED_REFERRALS: &str = "/returned-referrals";

/// The System Administrator's Referral Need Statuses and CoC holidays.
pub const NEED_STATUSES: &str = "/settings/need-statuses";

/// The System Administrator's Return reasons settings.
pub const RETURN_REASONS: &str = "/settings/return-reasons";

/// The Priority List Manager's queue of transfer requests awaiting an answer.
pub const TRANSFER_REQUESTS: &str = "/transfer-requests";

/// The Priority List Manager's CoC view: referrals by provider and project.
pub const COC_REFERRALS: &str = "/coc-referrals";

/// `/coc-referrals/list?project=…&filter=…&page=…`: the list behind a number of the CoC view.
pub fn coc_referral_list(project_id: i64, filter: &str, page: i64) -> String {
    format!(
        "/coc-referrals/list?project={project_id}&filter={}&page={page}",
        encode(filter)
    )
}

/// The organization's non-CE referral lists (incoming, and outgoing to reassign).
pub const NON_CE_REFERRALS: &str = "/referrals/non-ce";

/// The System Administrator's e-mail outbox.
pub const OUTBOX: &str = "/admin/outbox";

/// The signed-in user's notifications.
pub const NOTIFICATIONS: &str = "/notifications";

/// A page of the Priority List with its filters.
pub fn priority_list(query: &str, pending: &str, sort: &str, page: i64) -> String {
    format!(
        "/priority-list?q={}&pending={}&sort={}&page={page}",
        encode(query),
        encode(pending),
        encode(sort)
    )
}

/// `address` with one query parameter added (`?` or `&` as needed).
pub fn with_query(address: &str, key: &str, value: &str) -> String {
    let separator = if address.contains('?') { '&' } else { '?' };
    format!("{address}{separator}{key}={}", encode(value))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_match_the_declared_routes() {
        let routes = include_str!("lib.rs");
        for (built, declared) in [
            (client_ce_events(4), "/clients/:id/ce-events\""),
            (ce_event(4, 9), "/clients/:id/ce-events/:event_id\""),
            (refer(4), "/clients/:id/refer\""),
            (client_referrals(4), "/clients/:id/referrals\""),
            (referral(4, 9), "/clients/:id/referrals/:referral_id\""),
            (client_enrollments(4), "/clients/:id/enrollments\""),
            (
                enrollment(4, 9),
                "/clients/:id/enrollments/:enrollment_id\"",
            ),
        ] {
            assert!(routes.contains(declared), "{declared} is not a route");
            let pattern: Vec<&str> = declared.trim_end_matches('"').split('/').collect();
            let parts: Vec<&str> = built.split('/').collect();
            assert_eq!(pattern.len(), parts.len(), "{built} against {declared}");
            for (p, b) in pattern.iter().zip(&parts) {
                assert!(p.starts_with(':') || p == b, "{built} against {declared}");
            }
        }
        assert!(routes.contains("path!(\"/priority-list\")"));
        assert!(routes.contains(&format!("path!(\"{RETURNED_REFERRALS}\")")));
        assert!(routes.contains(&format!("path!(\"{NOTIFICATIONS}\")")));
        assert!(routes.contains(&format!("path!(\"{RETURN_REASONS}\")")));
        assert!(routes.contains(&format!("path!(\"{NEED_STATUSES}\")")));
        assert!(routes.contains(&format!("path!(\"{OUTBOX}\")")));
        assert!(routes.contains(&format!("path!(\"{NON_CE_REFERRALS}\")")));
        assert!(routes.contains(&format!("path!(\"{TRANSFER_REQUESTS}\")")));
        assert!(routes.contains(&format!("path!(\"{COC_REFERRALS}\")")));
        let list = coc_referral_list(3, "overdue", 2);
        assert_eq!(list, "/coc-referrals/list?project=3&filter=overdue&page=2");
        let list_path = list.split('?').next().unwrap_or_default();
        assert!(routes.contains(&format!("path!(\"{list_path}\")")));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            priority_list("O'Neil & Co #1", "", "name", 2),
            "/priority-list?q=O%27Neil%20%26%20Co%20%231&pending=&sort=name&page=2"
        );
        assert_eq!(encode("Ana-María_~."), "Ana-Mar%C3%ADa_~.");
        assert_eq!(with_query("/a", "saved", "1"), "/a?saved=1");
        assert_eq!(with_query("/a?x=1", "saved", "1"), "/a?x=1&saved=1");
    }
}
