//! Iraqi mobile numbers: the channel a citizen signs in through (one-time codes by SMS).

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// A mobile number in E.164 form, `+9647XXXXXXXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Accepts `07XX XXX XXXX`, `+964 7XX…`, `00964 7XX…` and `9647XX…`, with Arabic-Indic digits,
    /// spaces and dashes. Iraqi mobile numbers start with 07 followed by 3-9 (Korek 075, Asiacell 077,
    /// Zain 078/079 …) and have 11 digits nationally.
    pub fn parse(s: &str) -> Result<Phone, FieldError> {
        let folded = tamwin_text_ar::fold_digits(s.trim());
        let plus = folded.starts_with('+');
        let digits: String = folded
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '+'))
            .collect();
        let national = if !digits.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else if let Some(rest) = digits.strip_prefix("00964") {
            Some(format!("0{rest}"))
        } else if let Some(rest) = digits.strip_prefix("964") {
            Some(format!("0{rest}"))
        } else if plus {
            None
        } else {
            Some(digits)
        };
        match national {
            Some(n)
                if n.len() == 11
                    && n.starts_with("07")
                    && (b'3'..=b'9').contains(&n.as_bytes()[2]) =>
            {
                Ok(Phone(format!("+964{}", &n[1..])))
            }
            _ => Err(FieldError::new(
                "phone",
                "phone_invalid",
                "not a valid Iraqi mobile number (11 digits starting 07, or +964 7…)",
            )),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// `0770 123 4567`, the way people write it.
    pub fn display(&self) -> String {
        let n = format!("0{}", &self.0[4..]);
        format!("{} {} {}", &n[..4], &n[4..7], &n[7..])
    }
    /// `0770 *** *567`: enough for a citizen to recognise their number, not enough to harvest it.
    pub fn masked(&self) -> String {
        let n = format!("0{}", &self.0[4..]);
        format!("{} *** *{}", &n[..4], &n[8..])
    }
}

impl TryFrom<String> for Phone {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Phone::parse(&s).map_err(|e| e.message_en)
    }
}
impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_one_number() {
        for s in [
            "07701234567",
            "0770 123 4567",
            "0770-123-4567",
            "+964 770 123 4567",
            "009647701234567",
            "9647701234567",
        ] {
            assert_eq!(Phone::parse(s).unwrap().as_str(), "+9647701234567", "{s}");
        }
        let p = Phone::parse("07701234567").unwrap();
        assert_eq!(p.display(), "0770 123 4567");
        assert_eq!(p.masked(), "0770 *** *567");
    }

    #[test]
    fn not_mobile_numbers() {
        for s in [
            "",
            "0770123456",
            "077012345678",
            "01712345678",
            "07201234567",
            "+44 7700 900123",
            "07701234a67",
            "+07701234567",
        ] {
            assert_eq!(Phone::parse(s).unwrap_err().code, "phone_invalid", "{s}");
        }
    }
}
