//! The unified national ID number (البطاقة الوطنية الموحدة). Format and check rule: docs/formats.md.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// Twelve digits, the first not zero, the last a Luhn check digit over the first eleven.
/// Arabic-Indic digits, spaces and dashes are accepted on input and folded away.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NationalId(String);

pub const NATIONAL_ID_LEN: usize = 12;

impl NationalId {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let bad = |code, en: &str| Err(FieldError::new("", code, en));
        // Spaces alone are not "no ID": whoever means none leaves the field empty.
        if !input.is_empty() && input.trim().is_empty() {
            return bad(
                "national_id_blank",
                "the national ID is only spaces; leave it empty if there is none",
            );
        }
        let folded: String = tamwin_text_ar::fold_digits(input.trim())
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        if folded.len() != NATIONAL_ID_LEN || !folded.bytes().all(|b| b.is_ascii_digit()) {
            return bad(
                "national_id_malformed",
                "the national ID number must be 12 digits",
            );
        }
        if folded.starts_with('0') {
            return bad(
                "national_id_malformed",
                "the national ID number cannot start with 0",
            );
        }
        let (payload, check) = folded.split_at(NATIONAL_ID_LEN - 1);
        if check.as_bytes()[0] - b'0' != crate::luhn_check_digit(payload) {
            return bad(
                "national_id_check_digit",
                "the national ID number is not valid (check digit mismatch)",
            );
        }
        Ok(Self(folded))
    }

    /// Builds a valid ID from an eleven-digit payload (first digit 1-9), appending the check digit.
    pub fn from_payload(payload: u64) -> Option<Self> {
        let p = format!("{payload:011}");
        if p.len() != NATIONAL_ID_LEN - 1 || p.starts_with('0') {
            return None;
        }
        let c = crate::luhn_check_digit(&p);
        Some(Self(format!("{p}{c}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for NationalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for NationalId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.message_en)
    }
}

impl From<NationalId> for String {
    fn from(n: NationalId) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids_round_trip_and_fold_digits() {
        let id = NationalId::from_payload(19_876_543_210).unwrap();
        assert_eq!(id.as_str().len(), 12);
        assert_eq!(NationalId::parse(id.as_str()).unwrap(), id);
        let arabic: String = id
            .as_str()
            .chars()
            .map(|c| char::from_u32(0x0660 + c.to_digit(10).unwrap()).unwrap())
            .collect();
        assert_eq!(NationalId::parse(&arabic).unwrap(), id);
        let dashed = format!("{}-{}", &id.as_str()[..6], &id.as_str()[6..]);
        assert_eq!(NationalId::parse(&dashed).unwrap(), id);
    }

    #[test]
    fn malformed_ids_are_refused_with_codes() {
        assert_eq!(
            NationalId::parse("12345").unwrap_err().code,
            "national_id_malformed"
        );
        assert_eq!(
            NationalId::parse("1234567890ab").unwrap_err().code,
            "national_id_malformed"
        );
        assert_eq!(
            NationalId::parse("012345678901").unwrap_err().code,
            "national_id_malformed"
        );
        let id = NationalId::from_payload(19_876_543_210).unwrap();
        let mut wrong = id.as_str().to_string();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '9' {
            '0'
        } else {
            char::from(last as u8 + 1)
        });
        assert_eq!(
            NationalId::parse(&wrong).unwrap_err().code,
            "national_id_check_digit"
        );
    }

    #[test]
    fn an_id_of_spaces_is_refused_not_taken_as_none() {
        for blank in [" ", "   ", "\t", " \u{3000} "] {
            assert_eq!(
                NationalId::parse(blank).unwrap_err().code,
                "national_id_blank",
                "{blank:?}"
            );
        }
        assert_eq!(
            NationalId::parse("").unwrap_err().code,
            "national_id_malformed"
        );
    }

    #[test]
    fn every_single_digit_error_is_caught() {
        let id = NationalId::from_payload(27_182_818_284).unwrap();
        for pos in 0..12 {
            for d in b'0'..=b'9' {
                let mut b = id.as_str().as_bytes().to_vec();
                if b[pos] == d {
                    continue;
                }
                b[pos] = d;
                let s = String::from_utf8(b).unwrap();
                assert!(NationalId::parse(&s).is_err(), "{s} accepted");
            }
        }
    }
}
