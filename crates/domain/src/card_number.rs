//! The ration card number. Format: docs/formats.md.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// Two-digit governorate code, eight-digit serial, Luhn check digit: `11-00012345-2`.
/// Stored without dashes (`11000123456`); dashes, spaces and Arabic-Indic digits accepted on input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardNumber(String);

impl CardNumber {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s: String = tamwin_text_ar::fold_digits(input.trim())
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        if s.len() != 11 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                "",
                "card_number_malformed",
                "a ration card number has 11 digits (e.g. 11-00012345-2)",
            ));
        }
        if s.as_bytes()[10] - b'0' != crate::luhn_check_digit(&s[..10]) {
            return Err(FieldError::new(
                "",
                "card_number_check_digit",
                "the ration card number is not valid (check digit mismatch)",
            ));
        }
        Ok(Self(s))
    }

    /// The card number of serial `serial` (below 10^8) in governorate `gov` (`"11"`).
    pub fn new(gov: &str, serial: u32) -> Option<Self> {
        if gov.len() != 2 || !gov.bytes().all(|b| b.is_ascii_digit()) || serial >= 100_000_000 {
            return None;
        }
        let payload = format!("{gov}{serial:08}");
        let c = crate::luhn_check_digit(&payload);
        Some(Self(format!("{payload}{c}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn governorate_code(&self) -> &str {
        &self.0[..2]
    }
    /// The printed form with dashes.
    pub fn display(&self) -> String {
        format!("{}-{}-{}", &self.0[..2], &self.0[2..10], &self.0[10..])
    }
}

impl std::fmt::Display for CardNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

impl TryFrom<String> for CardNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.message_en)
    }
}

impl From<CardNumber> for String {
    fn from(c: CardNumber) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_and_without_dashes() {
        let c = CardNumber::new("11", 12345).unwrap();
        assert_eq!(c.governorate_code(), "11");
        assert_eq!(CardNumber::parse(&c.display()).unwrap(), c);
        assert_eq!(CardNumber::parse(c.as_str()).unwrap(), c);
        assert!(CardNumber::parse("11-00012345-0").is_err() || c.as_str().ends_with('0'));
        assert_eq!(
            CardNumber::parse("abc").unwrap_err().code,
            "card_number_malformed"
        );
        assert!(CardNumber::new("1", 1).is_none());
        assert!(CardNumber::new("11", 100_000_000).is_none());
    }
}
