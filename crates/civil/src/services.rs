//! The answers of the civil registry's services, computed from a person on file.

use sha2::Digest;
use tamwin_hub::HubErrorCode;
use tamwin_hub::services::{
    CardStatus, FingerprintMatch, IdentityMatch, IdentityQuery, LifeStatus,
};
use tamwin_store::CivilPerson;

fn same_name(asked: &str, on_file: &str) -> bool {
    tamwin_text_ar::name_key(asked) == tamwin_text_ar::name_key(on_file)
}

fn same_date(asked: &str, on_file: &str) -> bool {
    tamwin_text_ar::fold_digits(asked.trim())
        .parse::<jiff::civil::Date>()
        .is_ok_and(|d| d.to_string() == on_file)
}

/// A match per field the caller sent; a deceased holder's ID is deactivated.
pub fn verify_identity(p: &CivilPerson, q: &IdentityQuery) -> Result<IdentityMatch, HubErrorCode> {
    if p.death_date.is_some() {
        return Err(HubErrorCode::IdDeactivatedDeceased);
    }
    let mut fields = std::collections::BTreeMap::new();
    let mut check = |name: &str, asked: &Option<String>, f: &dyn Fn(&str) -> bool| {
        if let Some(a) = asked {
            fields.insert(name.to_string(), f(a));
        }
    };
    check("given_name", &q.given_name, &|a| {
        same_name(a, &p.given_name)
    });
    check("father_name", &q.father_name, &|a| {
        same_name(a, &p.father_name)
    });
    check("grandfather_name", &q.grandfather_name, &|a| {
        same_name(a, &p.grandfather_name)
    });
    check("family_name", &q.family_name, &|a| {
        same_name(a, p.family_name.as_deref().unwrap_or(""))
    });
    check("mother_name", &q.mother_name, &|a| {
        same_name(a, &p.mother_name)
    });
    check("birth_date", &q.birth_date, &|a| {
        same_date(a, &p.birth_date)
    });
    check("sex", &q.sex, &|a| a.trim() == p.sex);
    Ok(IdentityMatch {
        matched: fields.values().all(|m| *m),
        fields,
    })
}

/// The capture's digest against the card's template digest (no card: no match).
pub fn verify_fingerprint(
    p: &CivilPerson,
    template: &str,
) -> Result<FingerprintMatch, HubErrorCode> {
    if p.death_date.is_some() {
        return Err(HubErrorCode::IdDeactivatedDeceased);
    }
    let digest: String = sha2::Sha256::digest(template.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(FingerprintMatch {
        matched: p.fingerprint_sha256.as_deref() == Some(digest.as_str()),
    })
}

pub fn life_status(p: &CivilPerson) -> LifeStatus {
    match (&p.death_date, &p.abroad_since) {
        (Some(d), _) => LifeStatus {
            status: "deceased".into(),
            since: Some(d.clone()),
        },
        (None, Some(a)) => LifeStatus {
            status: "abroad".into(),
            since: Some(a.clone()),
        },
        (None, None) => LifeStatus {
            status: "alive".into(),
            since: None,
        },
    }
}

pub fn card_status(p: &CivilPerson) -> CardStatus {
    CardStatus {
        status: p.card_status.clone().unwrap_or_else(|| "none".into()),
        expires: p.card_expires.clone(),
    }
}
