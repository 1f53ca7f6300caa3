//! The field formats the SPDCI CRVS API v1.0.0 sets wherever the field occurs in a message, checked on
//! every message received so that a message breaking them is refused (`ERR`, `err.request.bad`) rather
//! than acknowledged: every `timestamp` (and the header's `message_ts`) is an ISO 8601 date-time with
//! its timezone, every `locale` three lowercase letters (ISO 639-3), every `transaction_id`,
//! `correlation_id` and subscription code at most 99 characters.

use serde_json::Value;

/// The specification's `maxLength` on identifiers.
pub const MAX_ID_CHARS: usize = 99;

/// Why a value breaks the specification, naming the field; `None` when all is well.
pub fn format_problem(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            let bad = match (k.as_str(), x) {
                ("timestamp" | "message_ts", Value::Null) => false,
                ("timestamp" | "message_ts", Value::String(s)) => !is_date_time(s),
                ("timestamp" | "message_ts", _) => true,
                ("locale", Value::Null) => false,
                ("locale", Value::String(s)) => {
                    !(s.len() == 3 && s.bytes().all(|b| b.is_ascii_lowercase()))
                }
                ("locale", _) => true,
                ("transaction_id" | "correlation_id", Value::String(s)) => {
                    s.chars().count() > MAX_ID_CHARS
                }
                ("subscription_codes", Value::Array(a)) => a
                    .iter()
                    .any(|c| c.as_str().is_none_or(|s| s.chars().count() > MAX_ID_CHARS)),
                _ => false,
            };
            if bad {
                Some(k.clone())
            } else {
                format_problem(x)
            }
        }),
        Value::Array(a) => a.iter().find_map(format_problem),
        _ => None,
    }
}

/// An ISO 8601 date-time with a timezone (`Z` or an offset), as RFC 3339 writes it.
pub fn is_date_time(s: &str) -> bool {
    // The timezone must be written: a local date-time, or a date alone, is refused.
    let Some(t) = s.find(['T', 't', ' ']) else {
        return false;
    };
    let rest = &s[t + 1..];
    let zoned = rest.ends_with(['Z', 'z']) || rest.rfind(['+', '-']).is_some_and(|i| i >= 5);
    zoned && s.parse::<jiff::Timestamp>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_formats_of_the_specification() {
        for ok in [
            "2026-12-02T10:00:00Z",
            "2022-12-04T17:20:07-04:00",
            "2026-12-02T10:00:00.123+03:00",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "2026-12-02T10:00:00",
            "2026-12-02",
            "yesterday",
            "",
            "2026-13-02T10:00:00Z",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
        assert_eq!(
            format_problem(&json!({"a": [{"timestamp": "2026-12-02T10:00:00Z", "locale": "ara"}]})),
            None
        );
        assert_eq!(
            format_problem(&json!({"a": [{"timestamp": "2026-12-02T10:00:00"}]})).as_deref(),
            Some("timestamp")
        );
        assert_eq!(
            format_problem(&json!({"q": {"locale": "en"}})).as_deref(),
            Some("locale")
        );
        assert_eq!(
            format_problem(&json!({"q": {"locale": "ARA"}})).as_deref(),
            Some("locale")
        );
        let long = "x".repeat(100);
        assert_eq!(
            format_problem(&json!({"transaction_id": long})).as_deref(),
            Some("transaction_id")
        );
        assert_eq!(
            format_problem(&json!({"subscription_codes": ["a", long]})).as_deref(),
            Some("subscription_codes")
        );
        assert_eq!(
            format_problem(&json!({"transaction_id": "x".repeat(99)})),
            None
        );
    }
}
