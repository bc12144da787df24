//! Phone numbers and email addresses, parsed once into values that are valid by construction.

use serde::{Deserialize, Serialize};

/// A US phone number: exactly 10 digits, stored without punctuation (as HUD's CSV wants it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// Accepts any punctuation people type ("(612) 555-0100", "612.555.0100", "+1 612 555 0100").
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let mut digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
        let has_junk = raw
            .chars()
            .any(|c| !(c.is_ascii_digit() || " ()-.+".contains(c)));
        if has_junk {
            return Err("Enter a 10-digit phone number, e.g. (612) 555-0100.");
        }
        if digits.len() == 11 && digits.starts_with('1') {
            digits.remove(0);
        }
        if digits.len() != 10 {
            return Err("Enter a 10-digit phone number, e.g. (612) 555-0100.");
        }
        Ok(Phone(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn into_digits(self) -> String {
        self.0
    }
}

/// Shows stored digits as (612) 555-0100; anything else is shown as it is.
pub fn format_phone(digits: &str) -> String {
    if digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit()) {
        format!("({}) {}-{}", &digits[0..3], &digits[3..6], &digits[6..])
    } else {
        digits.to_string()
    }
}

/// An email address: one '@', a non-empty local part, a dotted domain, no spaces, ≤ 320 chars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const MESSAGE: &str = "Enter a valid email address, e.g. name@example.org.";
        let value = raw.trim();
        if value.len() > 320 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(MESSAGE);
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(MESSAGE);
        };
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(MESSAGE);
        }
        Ok(Email(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_accepts_common_formats() {
        for raw in [
            "6125550100",
            "(612) 555-0100",
            "612.555.0100",
            "+1 612 555 0100",
            "1-612-555-0100",
        ] {
            assert_eq!(Phone::parse(raw).unwrap().digits(), "6125550100", "{raw}");
        }
    }

    #[test]
    fn phone_rejects_wrong_lengths_and_letters() {
        for raw in [
            "",
            "555-0100",
            "61255501000",
            "612555010x",
            "2-612-555-0100",
        ] {
            assert!(Phone::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn phone_is_shown_formatted() {
        assert_eq!(format_phone("6125550100"), "(612) 555-0100");
        assert_eq!(format_phone("123"), "123");
    }

    #[test]
    fn email_rules() {
        assert!(Email::parse("case.worker@northside.org").is_ok());
        assert_eq!(Email::parse("  a@b.co ").unwrap().as_str(), "a@b.co");
        for bad in [
            "",
            "no-at.org",
            "@x.org",
            "a@",
            "a@nodot",
            "a b@x.org",
            "a@x..org",
            "a@@x.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
