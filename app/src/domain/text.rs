//! Rules for free text, shared by every form and checked again by the server for every field of
//! every server function call (`server::input_guard`), so that nothing a browser cannot type, such
//! as a NUL byte, reaches PostgreSQL (which refuses NUL in text and would answer with an error).

/// The message shown at a field that holds a control character.
pub const CONTROL_CHARACTER: &str =
    "Remove the control character (such as a NUL byte) from this field.";

/// Whether `c` is a control character a person does not type into a form: C0 controls except
/// tab, line feed and carriage return (a multi-line text area sends those), DEL, and C1 controls.
pub fn is_forbidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Refuses text that holds a forbidden control character (see [`is_forbidden_control`]).
pub fn check_no_control_characters(value: &str) -> Result<(), &'static str> {
    if value.chars().any(is_forbidden_control) {
        Err(CONTROL_CHARACTER)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_passes() {
        assert!(check_no_control_characters("").is_ok());
        assert!(check_no_control_characters("Ana María O'Neil – 3rd floor").is_ok());
        assert!(check_no_control_characters("line one\r\nline two\tend").is_ok());
    }

    #[test]
    fn nul_and_other_controls_are_refused() {
        for bad in [
            "\0",
            "a\u{0}b",
            "\u{1}",
            "\u{1f}",
            "\u{7f}",
            "\u{80}",
            "\u{9f}",
            "\u{0b}",
            "\u{0c}",
            "x\u{2028}y",
        ] {
            assert_eq!(
                check_no_control_characters(bad),
                Err(CONTROL_CHARACTER),
                "{bad:?}"
            );
        }
        // The neighbours of the refused ranges are ordinary characters.
        for good in [" ", "~", "\u{a0}", "\u{2027}", "\u{202a}"] {
            assert!(check_no_control_characters(good).is_ok(), "{good:?}");
        }
    }
}
