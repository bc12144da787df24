//! How one value is written in an HMIS CSV file (CSV26 "Document Format", "Data Types",
//! "Characters Permitted"): strings quoted with `""` for a quote inside, `< > [ ] { }`
//! stripped; integers, dates (`YYYY-MM-DD`) and datetimes (`YYYY-MM-DD hh:mm:ss`) bare; a
//! missing value empty. Lines end with CR LF (RFC 4180); no byte-order mark.
//!
//! Hand-written because the quoting depends on the column's type: a general CSV writer quotes
//! all fields or only those that need it, and HUD wants every string (SSN and ZIP included)
//! quoted and every number bare.

use super::spec::FileSpec;
use chrono::{NaiveDate, NaiveDateTime};
use std::io::{self, Write};

pub const LINE_END: &[u8] = b"\r\n";

/// The characters HUD's FY2026 CSV spec strips from every value.
pub const STRIPPED: &[char] = &['<', '>', '[', ']', '{', '}'];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Null,
    Text(String),
    Int(i64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

/// A string as HUD permits it: the six bracket characters stripped, line breaks and tabs made
/// spaces (a value never spans lines).
pub fn clean_text(raw: &str) -> String {
    raw.chars()
        .filter(|c| !STRIPPED.contains(c))
        .map(|c| {
            if matches!(c, '\r' | '\n' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Appends one encoded value to `out`.
pub fn encode(out: &mut Vec<u8>, field: &Field) {
    match field {
        Field::Null => {}
        Field::Text(text) => {
            out.push(b'"');
            for c in clean_text(text).chars() {
                if c == '"' {
                    out.extend_from_slice(b"\"\"");
                } else {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
            out.push(b'"');
        }
        Field::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Field::Date(d) => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        Field::DateTime(t) => {
            let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"));
        }
    }
}

/// One line: the values separated by commas, ended by CR LF.
pub fn encode_row(out: &mut Vec<u8>, fields: &[Field]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        encode(out, field);
    }
    out.extend_from_slice(LINE_END);
}

/// The header line: HUD's column names, exactly, in order.
pub fn write_header(w: &mut impl Write, spec: &FileSpec) -> io::Result<()> {
    w.write_all(spec.header().join(",").as_bytes())?;
    w.write_all(LINE_END)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[Field]) -> String {
        let mut out = Vec::new();
        encode_row(&mut out, fields);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_quoted_and_numbers_dates_and_nulls_are_bare() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        let t = d.and_hms_opt(9, 5, 0).unwrap();
        assert_eq!(
            row(&[
                Field::Text("123".into()),
                Field::Int(99),
                Field::Null,
                Field::Date(d),
                Field::DateTime(t)
            ]),
            "\"123\",99,,2026-03-07,2026-03-07 09:05:00\r\n"
        );
    }

    #[test]
    fn ssn_and_zip_keep_their_leading_zeros_inside_quotes() {
        assert_eq!(
            row(&[Field::Text("012345678".into()), Field::Text("02139".into())]),
            "\"012345678\",\"02139\"\r\n"
        );
    }

    #[test]
    fn quotes_double_and_hud_brackets_are_stripped() {
        assert_eq!(
            row(&[Field::Text("Ana \"Nana\" Ruiz".into())]),
            "\"Ana \"\"Nana\"\" Ruiz\"\r\n"
        );
        assert_eq!(
            row(&[Field::Text("<b>[Hope] {House}</b>".into())]),
            "\"bHope House/b\"\r\n"
        );
        assert_eq!(
            row(&[Field::Text("line one\r\nline two\tend".into())]),
            "\"line one  line two end\"\r\n"
        );
    }

    #[test]
    fn utf8_is_carried_as_entered() {
        assert_eq!(
            row(&[Field::Text("Zoë Ñúñez – 李".into())]),
            "\"Zoë Ñúñez – 李\"\r\n"
        );
    }

    #[test]
    fn header_is_the_column_names() {
        let mut out = Vec::new();
        write_header(&mut out, &super::super::spec::EVENT_FILE).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "EventID,EnrollmentID,PersonalID,EventDate,Event,ProbSolDivRRResult,ReferralCaseManageAfter,LocationCrisisOrPHHousing,ReferralResult,ResultDate,DateCreated,DateUpdated,UserID,DateDeleted,ExportID\r\n"
        );
    }
}
