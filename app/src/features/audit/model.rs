//! Wire types of a record's change history, and how audit rows read as "Field: before → after"
//! lines. Nothing here touches the database or HTTP.

use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    pub who: String,
    pub organization: Option<String>,
    pub action: String,
    pub changes: Vec<String>,
}

/// The records whose history the administration pages show (System Administrators only).
pub const ADMINISTERED: &[&str] = &["user", "organization", "project", "referral_need_status"];

/// How the administration pages name an audited action.
pub fn action_label(action: &str) -> &str {
    match action {
        "create" | "user.create" => "Created",
        "update" => "Changed",
        "delete" => "Deleted",
        "ce_participation.create" => "CE participation added",
        "ce_participation.update" => "CE participation changed",
        "membership.grant" => "Workgroup granted",
        "membership.revoke" => "Workgroup revoked",
        "user.deactivate" => "Deactivated",
        "user.reactivate" => "Reactivated",
        "user.reset_password" => "Password reset",
        "change_password" => "Password changed by the user",
        other => other,
    }
}

/// "Field: old → new" for each field that changed; every field of a created record; every
/// field of a removed one.
#[cfg(feature = "ssr")]
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let show = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "(blank)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "Yes" } else { "No" }.to_string(),
        Some(other) => other.to_string(),
    };
    match (before, after) {
        (_, Some(Value::Object(after))) => after
            .iter()
            .filter_map(|(key, new)| {
                let old = before.and_then(|b| b.get(key));
                match old {
                    Some(old) if old == new => None,
                    None if before.is_none() && new.is_null() => None,
                    None if before.is_none() => Some(format!("{key}: {}", show(Some(new)))),
                    _ => Some(format!("{key}: {} → {}", show(old), show(Some(new)))),
                }
            })
            .collect(),
        (Some(Value::Object(before)), None) => before
            .iter()
            .filter(|(_, old)| !old.is_null())
            .map(|(key, old)| format!("{key}: {} → (removed)", show(Some(old))))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields_only() {
        let before =
            json!({"Result Date": null, "Event": "Referral to PSH project resource opening"});
        let after = json!({"Result Date": "11/20/2026", "Event": "Referral to PSH project resource opening"});
        assert_eq!(
            diff(Some(&before), Some(&after)),
            vec!["Result Date: (blank) → 11/20/2026"]
        );
        assert_eq!(
            diff(
                None,
                Some(&json!({"Event Date": "11/20/2026", "Result Date": null}))
            ),
            vec!["Event Date: 11/20/2026"]
        );
    }

    #[test]
    fn diff_shows_yes_no_and_removals() {
        assert_eq!(
            diff(
                Some(&json!({"Access point": false})),
                Some(&json!({"Access point": true}))
            ),
            vec!["Access point: No → Yes"]
        );
        assert_eq!(
            diff(Some(&json!({"Workgroup": "HMIS User", "Note": null})), None),
            vec!["Workgroup: HMIS User → (removed)"]
        );
    }
}
