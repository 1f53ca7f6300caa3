//! What a QR code says, and its CBOR form: the COSE_Sign1 payload.
//!
//! The payload is a CBOR map with CWT's registered keys for the times (RFC 8392: 4 = exp, 6 = iat)
//! and text keys for the rest:
//!
//! ```text
//! { 4: exp, 6: iat, "kind": "nc", "claims": { "name": "…", "national_id": "…" } }
//! ```
//!
//! Written in RFC 8949 core deterministic form (shortest integers, definite lengths, keys sorted by
//! their encoded bytes), so the same payload always gives the same bytes; read strictly: no other
//! key, no duplicate key, no trailing bytes.

use crate::error::CardError;
use ciborium::Value;
use std::collections::BTreeMap;

/// CWT `exp` (RFC 8392, section 3.1.4).
pub const KEY_EXP: i64 = 4;
/// CWT `iat` (RFC 8392, section 3.1.6).
pub const KEY_IAT: i64 = 6;
pub const KEY_KIND: &str = "kind";
pub const KEY_CLAIMS: &str = "claims";

/// What the signed document is. The codes are part of the format and never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// The unified national card, issued by the (reference) civil registry.
    NationalCard,
    /// An appointment form from pre-registration.
    Appointment,
    /// A ration card.
    RationCard,
    /// A temporary card issued at an update centre.
    TemporaryCard,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::NationalCard,
        Kind::Appointment,
        Kind::RationCard,
        Kind::TemporaryCard,
    ];

    /// Stable short code, as written in the payload.
    pub fn code(self) -> &'static str {
        match self {
            Kind::NationalCard => "nc",
            Kind::Appointment => "ap",
            Kind::RationCard => "rc",
            Kind::TemporaryCard => "tc",
        }
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The signed content of a QR code. Times are Unix seconds (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub kind: Kind,
    pub issued_at: i64,
    pub expires_at: i64,
    /// The document's data, e.g. `national_id`, `name`, `card_number`, `appointment_id`.
    pub claims: BTreeMap<String, String>,
}

impl Payload {
    /// The payload's CBOR bytes; PayloadInvalid when it would expire before it is issued.
    pub fn to_cbor(&self) -> Result<Vec<u8>, CardError> {
        if self.expires_at <= self.issued_at {
            return Err(CardError::PayloadInvalid);
        }
        // Keys of one length sort by their bytes, shorter keys first: for text that is the order of
        // the encoded keys, which deterministic CBOR asks for.
        let mut claims: Vec<(&String, &String)> = self.claims.iter().collect();
        claims.sort_by(|a, b| (a.0.len(), a.0).cmp(&(b.0.len(), b.0)));
        let claims = claims
            .into_iter()
            .map(|(k, v)| (Value::Text(k.clone()), Value::Text(v.clone())))
            .collect();
        let map = Value::Map(vec![
            (Value::from(KEY_EXP), Value::from(self.expires_at)),
            (Value::from(KEY_IAT), Value::from(self.issued_at)),
            (Value::from(KEY_KIND), Value::from(self.kind.code())),
            (Value::from(KEY_CLAIMS), Value::Map(claims)),
        ]);
        let mut out = Vec::new();
        ciborium::into_writer(&map, &mut out).map_err(|_| CardError::PayloadInvalid)?;
        Ok(out)
    }

    /// The payload in `bytes`; Structure for anything but a map of exactly this format.
    pub fn from_cbor(bytes: &[u8]) -> Result<Payload, CardError> {
        let mut rest = bytes;
        let value: Value = ciborium::from_reader(&mut rest).map_err(|_| CardError::Structure)?;
        if !rest.is_empty() {
            return Err(CardError::Structure);
        }
        let Value::Map(entries) = value else {
            return Err(CardError::Structure);
        };
        let (mut exp, mut iat, mut kind, mut claims) = (None, None, None, None);
        for (key, value) in entries {
            let slot_was_empty = match &key {
                Value::Integer(i) if i64::try_from(*i) == Ok(KEY_EXP) => {
                    exp.replace(int(value)?).is_none()
                }
                Value::Integer(i) if i64::try_from(*i) == Ok(KEY_IAT) => {
                    iat.replace(int(value)?).is_none()
                }
                Value::Text(t) if t == KEY_KIND => {
                    let code = value.as_text().ok_or(CardError::Structure)?;
                    let k = Kind::from_code(code).ok_or(CardError::Structure)?;
                    kind.replace(k).is_none()
                }
                Value::Text(t) if t == KEY_CLAIMS => claims.replace(text_map(value)?).is_none(),
                _ => return Err(CardError::Structure),
            };
            if !slot_was_empty {
                return Err(CardError::Structure);
            }
        }
        let (Some(expires_at), Some(issued_at), Some(kind), Some(claims)) =
            (exp, iat, kind, claims)
        else {
            return Err(CardError::Structure);
        };
        if expires_at <= issued_at {
            return Err(CardError::Structure);
        }
        Ok(Payload {
            kind,
            issued_at,
            expires_at,
            claims,
        })
    }
}

fn int(v: Value) -> Result<i64, CardError> {
    match v {
        Value::Integer(i) => i64::try_from(i).map_err(|_| CardError::Structure),
        _ => Err(CardError::Structure),
    }
}

fn text_map(v: Value) -> Result<BTreeMap<String, String>, CardError> {
    let Value::Map(entries) = v else {
        return Err(CardError::Structure);
    };
    let mut out = BTreeMap::new();
    for (k, v) in entries {
        let (Value::Text(k), Value::Text(v)) = (k, v) else {
            return Err(CardError::Structure);
        };
        if out.insert(k, v).is_some() {
            return Err(CardError::Structure);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Payload {
        Payload {
            kind: Kind::RationCard,
            issued_at: 1_767_225_600,
            expires_at: 1_798_761_600,
            claims: BTreeMap::from([
                ("national_id".into(), "199012345678".into()),
                ("name".into(), "فاطمة".into()),
                ("zz".into(), "x".into()),
            ]),
        }
    }

    #[test]
    fn kind_codes_are_distinct_and_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
        }
        let codes: std::collections::BTreeSet<_> = Kind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), Kind::ALL.len());
        assert_eq!(Kind::from_code("NC"), None);
    }

    #[test]
    fn cbor_round_trips() {
        let p = sample();
        assert_eq!(Payload::from_cbor(&p.to_cbor().unwrap()), Ok(p));
    }

    #[test]
    fn cbor_is_deterministic_with_shorter_keys_first() {
        let bytes = sample().to_cbor().unwrap();
        // Map of 4; 4: exp; 6: iat; then "kind" before "claims" (4 letters before 6).
        assert_eq!(bytes[0], 0xa4);
        assert_eq!(bytes[1], 0x04);
        let value: Value = ciborium::from_reader(bytes.as_slice()).unwrap();
        let Value::Map(top) = value else { panic!() };
        assert_eq!(top[2].0, Value::from("kind"));
        let Value::Map(claims) = &top[3].1 else {
            panic!()
        };
        let keys: Vec<_> = claims.iter().map(|(k, _)| k.as_text().unwrap()).collect();
        assert_eq!(keys, ["zz", "name", "national_id"]);
    }

    #[test]
    fn refuses_to_encode_an_expiry_not_after_issue() {
        let mut p = sample();
        p.expires_at = p.issued_at;
        assert_eq!(p.to_cbor(), Err(CardError::PayloadInvalid));
    }

    fn encode(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(v, &mut out).unwrap();
        out
    }

    #[test]
    fn rejects_other_shapes() {
        let good = || {
            vec![
                (Value::from(4), Value::from(20)),
                (Value::from(6), Value::from(10)),
                (Value::from("kind"), Value::from("nc")),
                (Value::from("claims"), Value::Map(vec![])),
            ]
        };
        assert!(Payload::from_cbor(&encode(&Value::Map(good()))).is_ok());

        let mut cases: Vec<Vec<(Value, Value)>> = Vec::new();
        let mut extra = good();
        extra.push((Value::from(1), Value::from("issuer")));
        cases.push(extra);
        let mut dup = good();
        dup.push((Value::from(6), Value::from(11)));
        cases.push(dup);
        cases.push(good()[1..].to_vec());
        let mut bad_kind = good();
        bad_kind[2].1 = Value::from("xx");
        cases.push(bad_kind);
        let mut text_time = good();
        text_time[0].1 = Value::from("20");
        cases.push(text_time);
        let mut int_claim = good();
        int_claim[3].1 = Value::Map(vec![(Value::from("a"), Value::from(1))]);
        cases.push(int_claim);
        let mut dup_claim = good();
        dup_claim[3].1 = Value::Map(vec![
            (Value::from("a"), Value::from("1")),
            (Value::from("a"), Value::from("2")),
        ]);
        cases.push(dup_claim);
        let mut backwards = good();
        backwards[0].1 = Value::from(5);
        cases.push(backwards);
        for (i, case) in cases.into_iter().enumerate() {
            let bytes = encode(&Value::Map(case));
            assert_eq!(Payload::from_cbor(&bytes), Err(CardError::Structure), "{i}");
        }

        let mut trailing = encode(&Value::Map(good()));
        trailing.push(0);
        assert_eq!(Payload::from_cbor(&trailing), Err(CardError::Structure));
        assert_eq!(
            Payload::from_cbor(&encode(&Value::Array(vec![]))),
            Err(CardError::Structure)
        );
        assert_eq!(Payload::from_cbor(&[]), Err(CardError::Structure));
    }
}
