//! Workgroups (roles), memberships and the sign-in input rules.

use serde::{Deserialize, Serialize};

/// The Workgroup a user works in, chosen in the Settings sidebar with an Organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Workgroup {
    HmisUser,
    CoordinatedEntryAssessor,
    PriorityListManager,
    SystemAdministrator,
}

impl Workgroup {
    pub const ALL: [Workgroup; 4] = [
        Workgroup::HmisUser,
        Workgroup::CoordinatedEntryAssessor,
        Workgroup::PriorityListManager,
        Workgroup::SystemAdministrator,
    ];

    pub const fn code(self) -> i16 {
        match self {
            Workgroup::HmisUser => 1,
            Workgroup::CoordinatedEntryAssessor => 2,
            Workgroup::PriorityListManager => 3,
            Workgroup::SystemAdministrator => 4,
        }
    }

    pub fn from_code(code: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            Workgroup::HmisUser => "HMIS User",
            Workgroup::CoordinatedEntryAssessor => "Coordinated Entry Assessor",
            Workgroup::PriorityListManager => "Priority List Manager",
            Workgroup::SystemAdministrator => "System Administrator",
        }
    }
}

impl std::fmt::Display for Workgroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// One Workgroup × Organization pair a user holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipChoice {
    pub workgroup: Workgroup,
    pub organization_id: i64,
    pub organization_name: String,
}

/// The context a user has applied: everything they see and may change follows from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveContext {
    pub workgroup: Workgroup,
    pub organization_id: i64,
    pub organization_name: String,
    /// Set when the organization is a CoC's Coordinated Entry organization.
    pub ce_for_coc: Option<String>,
}

/// What the page header needs to know about the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    pub context: Option<ActiveContext>,
    pub memberships: Vec<MembershipChoice>,
}

/// Usernames are stored lower-case: 3–50 of a–z, 0–9, '.', '_' and '-'.
pub fn normalize_username(raw: &str) -> Result<String, &'static str> {
    let name = raw.trim().to_lowercase();
    if name.is_empty() {
        return Err("Enter your username.");
    }
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=50).contains(&name.len()) || !valid_chars {
        return Err("Usernames are 3 to 50 letters, digits, '.', '_' or '-'.");
    }
    Ok(name)
}

/// Password policy for new passwords: at least 12 characters, not all one kind, and not the
/// username.
pub fn check_new_password(password: &str, username: &str) -> Result<(), &'static str> {
    if password.chars().count() < 12 {
        return Err("Use at least 12 characters.");
    }
    if password.chars().count() > 128 {
        return Err("Use at most 128 characters.");
    }
    let has_letter = password.chars().any(|c| c.is_alphabetic());
    let has_other = password.chars().any(|c| !c.is_alphabetic());
    if !(has_letter && has_other) {
        return Err("Mix letters with digits or symbols.");
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("The password must not contain your username.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workgroup_codes_round_trip() {
        for w in Workgroup::ALL {
            assert_eq!(Workgroup::from_code(w.code()), Some(w));
        }
        assert_eq!(Workgroup::from_code(0), None);
        assert_eq!(Workgroup::from_code(5), None);
    }

    #[test]
    fn usernames_are_normalised() {
        assert_eq!(normalize_username("  CaseWorker "), Ok("caseworker".into()));
        assert!(normalize_username("").is_err());
        assert!(normalize_username("ab").is_err());
        assert!(normalize_username("has space").is_err());
        assert!(normalize_username("drop;table").is_err());
    }

    #[test]
    fn password_policy() {
        assert!(check_new_password("short1!", "bob").is_err());
        assert!(check_new_password("onlyletterslong", "bob").is_err());
        assert!(check_new_password("123456789012345", "bob").is_err());
        assert!(check_new_password("caseworker-2026!", "caseworker").is_err());
        assert!(check_new_password("correct horse 42", "bob").is_ok());
    }
}
