//! One-time codes to the phone the registry holds for a person: another ministry (Tamwin, to confirm a
//! citizen or a proxy) asks the registry to send one, and later asks whether what the person typed
//! matches. The code never travels to the asker, only to the phone; the registry keeps its hash.

use sha2::Digest;
use tamwin_hub::HubErrorCode;
use tamwin_hub::services::{CodeCheck, CodeSent, SendCodeQuery, VerifyCodeQuery};
use tamwin_store::{CivilOtp, CivilStore};

pub const CODE_MINUTES: i64 = 5;
pub const MAX_ATTEMPTS: i64 = 5;
/// At most this many codes per person per quarter hour.
pub const MAX_CODES: i64 = 3;

fn hash(challenge_id: &str, code: &str) -> String {
    tamwin_hub::hex(&sha2::Sha256::digest(
        format!("{challenge_id}:{code}").as_bytes(),
    ))
}

fn masked(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(3)..].iter().collect();
    format!("•••••••{tail}")
}

fn unavailable<E>(_: E) -> HubErrorCode {
    HubErrorCode::Unavailable
}

pub async fn send_code(
    store: &dyn CivilStore,
    client: &str,
    now: jiff::Timestamp,
    q: &SendCodeQuery,
) -> Result<CodeSent, HubErrorCode> {
    let purpose_ar = match q.purpose.as_str() {
        "citizen" => "لتأكيد هويتك لدى وزارة التجارة",
        "proxy" => "لتأكيد وكالة إلكترونية باسمك لدى وزارة التجارة",
        "collection" => "لاستلام حصة بالوكالة عند وكيل التموين",
        _ => return Err(HubErrorCode::InvalidInput),
    };
    // A collection code is told to the outlet, in person; the others to nobody.
    let keep = match q.purpose.as_str() {
        "collection" => "أعطه للوكيل وأنت عنده فقط.",
        _ => "لا تعطه لأحد.",
    };
    let id =
        tamwin_domain::NationalId::parse(&q.national_id).map_err(|_| HubErrorCode::InvalidInput)?;
    let p = store
        .civil_person(id.as_str())
        .await
        .map_err(unavailable)?
        .ok_or(HubErrorCode::IdNotFound)?;
    if p.death_date.is_some() {
        return Err(HubErrorCode::IdDeactivatedDeceased);
    }
    let phone = p.phone.ok_or(HubErrorCode::NoPhoneOnFile)?;
    let since = now
        .checked_sub(jiff::SignedDuration::from_mins(15))
        .map_err(|_| HubErrorCode::Internal)?;
    if store
        .civil_otps_since(id.as_str(), since)
        .await
        .map_err(unavailable)?
        >= MAX_CODES
    {
        return Err(HubErrorCode::TooManyCodes);
    }
    let challenge_id = uuid::Uuid::now_v7().to_string();
    // UUIDv4 comes from the operating system's random source.
    let code = format!("{:06}", uuid::Uuid::new_v4().as_u128() % 1_000_000);
    let expires_at = now
        .checked_add(jiff::SignedDuration::from_mins(CODE_MINUTES))
        .map_err(|_| HubErrorCode::Internal)?;
    let o = CivilOtp {
        challenge_id: challenge_id.clone(),
        national_id: id.as_str().to_string(),
        client: client.to_string(),
        purpose: q.purpose.clone(),
        code_hash: hash(&challenge_id, &code),
        created_at: now,
        expires_at,
        attempts: 0,
        used_at: None,
    };
    let body = format!(
        "مديرية الأحوال المدنية: رمزك {code} {purpose_ar}. صالح {CODE_MINUTES} دقائق. {keep}"
    );
    store
        .civil_otp_create(&o, &phone, &body)
        .await
        .map_err(unavailable)?;
    Ok(CodeSent {
        challenge_id,
        phone_masked: masked(&phone),
        expires_at: expires_at.to_string(),
    })
}

pub async fn verify_code(
    store: &dyn CivilStore,
    client: &str,
    now: jiff::Timestamp,
    q: &VerifyCodeQuery,
) -> Result<CodeCheck, HubErrorCode> {
    let refused = Ok(CodeCheck { matched: false });
    let Some(o) = store
        .civil_otp(&q.challenge_id)
        .await
        .map_err(unavailable)?
    else {
        return refused;
    };
    let same_person =
        tamwin_domain::NationalId::parse(&q.national_id).is_ok_and(|n| n.as_str() == o.national_id);
    if !same_person || o.client != client || o.used_at.is_some() || now >= o.expires_at {
        return refused;
    }
    if !store
        .civil_otp_attempt(&o.challenge_id, MAX_ATTEMPTS)
        .await
        .map_err(unavailable)?
    {
        return refused;
    }
    let code = tamwin_text_ar::fold_digits(q.code.trim());
    if hash(&o.challenge_id, &code) != o.code_hash {
        return refused;
    }
    // Single use, also when two checks race: only one marks it.
    let first = store
        .civil_otp_use(&o.challenge_id, now)
        .await
        .map_err(unavailable)?;
    Ok(CodeCheck { matched: first })
}
