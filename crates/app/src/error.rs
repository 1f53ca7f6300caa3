//! Errors of the use cases, each with a stable code and Arabic and English messages.

use tamwin_domain::ValidationErrors;
use tamwin_store::{Conflict, StoreError};

#[derive(Debug)]
pub enum AppError {
    Validation(ValidationErrors),
    NotFound,
    NationalIdTaken,
    Rule(&'static str, &'static str, &'static str),
    /// The household changed between read and write more often than we retried.
    Busy,
    IdempotencyKeyReused,
    /// No credentials, or credentials that are unknown, expired, revoked or ended.
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    Forbidden,
    /// A one-time code that is wrong, expired, used or out of attempts: which, is never said.
    CodeRefused,
    /// Too many codes asked for one number in a short time.
    TooManyCodes,
    /// Wrong username or password: which of the two is never said.
    SignInRefused,
    /// Too many failed sign-ins from this address, or to this account (docs/access.md): try again
    /// after this many seconds (the `Retry-After` header).
    TooManyAttempts(i64),
    Store(StoreError),
    Internal(String),
}

impl AppError {
    /// (HTTP status, code, Arabic, English).
    pub fn describe(&self) -> (u16, &'static str, String, String) {
        match self {
            AppError::Validation(_) => (
                422,
                "validation_failed",
                "البيانات المُدخلة غير صحيحة".into(),
                "the input is not valid".into(),
            ),
            AppError::NotFound => (
                404,
                "not_found",
                "لم يُعثر على السجل".into(),
                "no such record".into(),
            ),
            AppError::NationalIdTaken => (
                409,
                "national_id_in_other_household",
                "رقم البطاقة الوطنية مسجّل في أسرة فعّالة أخرى".into(),
                "the national ID is already registered in another active household".into(),
            ),
            AppError::Rule(code, ar, en) => (409, code, (*ar).into(), (*en).into()),
            AppError::Busy => (
                409,
                "concurrent_change",
                "تغيّرت بيانات الأسرة أثناء الطلب؛ أعد المحاولة".into(),
                "the household changed during the request; try again".into(),
            ),
            AppError::IdempotencyKeyReused => (
                422,
                "idempotency_key_reused",
                "مفتاح عدم التكرار استُعمل لطلب مختلف".into(),
                "the Idempotency-Key was already used for a different request".into(),
            ),
            AppError::Unauthenticated => (
                401,
                "unauthenticated",
                "يجب تسجيل الدخول".into(),
                "sign-in required: no valid credentials".into(),
            ),
            AppError::Forbidden => (
                403,
                "forbidden",
                "لا يسمح دورك بهذا الإجراء".into(),
                "your role does not allow this".into(),
            ),
            AppError::CodeRefused => (
                401,
                "code_refused",
                "الرمز غير صحيح أو انتهت صلاحيته؛ اطلب رمزاً جديداً إن لزم".into(),
                "the code is not valid; ask for a new one if needed".into(),
            ),
            AppError::TooManyCodes => (
                429,
                "too_many_codes",
                "طُلبت رموز كثيرة لهذا الرقم؛ حاول بعد قليل".into(),
                "too many codes were asked for this number; try again later".into(),
            ),
            AppError::SignInRefused => (
                401,
                "sign_in_refused",
                "اسم المستخدم أو كلمة المرور غير صحيحة".into(),
                "wrong username or password".into(),
            ),
            AppError::TooManyAttempts(secs) => (
                429,
                "too_many_attempts",
                format!("محاولات فاشلة كثيرة؛ حاول بعد {} دقيقة", (secs + 59) / 60),
                format!(
                    "too many failed attempts; try again in {} minutes",
                    (secs + 59) / 60
                ),
            ),
            AppError::Store(StoreError::Retryable(_)) => (
                503,
                "database_busy",
                "قاعدة البيانات مشغولة؛ أعد المحاولة".into(),
                "the database is busy; try again".into(),
            ),
            AppError::Store(_) | AppError::Internal(_) => (
                500,
                "internal_error",
                "خطأ داخلي في النظام".into(),
                "internal error".into(),
            ),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Validation(v) => write!(f, "validation failed: {v}"),
            AppError::Store(e) => write!(f, "{e}"),
            AppError::Internal(m) => write!(f, "internal: {m}"),
            other => f.write_str(&other.describe().3),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(Conflict::NationalIdTaken, _) => AppError::NationalIdTaken,
            StoreError::Conflict(Conflict::HeadRule, _) => AppError::Rule(
                "household_head_rule",
                "يجب أن يكون للأسرة رب أسرة واحد بالضبط",
                "a household must have exactly one head",
            ),
            StoreError::Conflict(Conflict::VersionMismatch, _) => AppError::Busy,
            StoreError::Conflict(Conflict::PhoneTaken, _) => AppError::Rule(
                "phone_in_other_household",
                "رقم الهاتف مسجّل لأسرة فعّالة أخرى",
                "the mobile number is registered to another open household",
            ),
            other => AppError::Store(other),
        }
    }
}
