//! Why a payload could not be signed, or a QR text not trusted: a stable machine code and messages in
//! Arabic and English. Verification errors carry no detail from the input on purpose: the text comes
//! from whoever printed the QR code.

/// Every way signing or verifying can fail. The codes are part of the format (docs/signed-payload.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardError {
    /// The text does not start with the format's prefix (`TMW1:`).
    Prefix,
    /// Not Base45, or longer than any QR code holds.
    Encoding,
    /// Not a zlib stream, or it inflates past the size limit.
    Compression,
    /// Not a COSE_Sign1 message carrying a payload map of this format.
    Structure,
    /// The protected header names an algorithm other than EdDSA.
    Algorithm,
    /// The key id is not in the key ring.
    UnknownKey,
    /// The payload was issued outside its key's validity period.
    KeyNotValid,
    /// The signature does not verify with the named key.
    Signature,
    /// The payload's expiry has passed.
    Expired,
    /// The payload was issued later than now (beyond the allowed clock skew).
    NotYetValid,
    /// Signing: the expiry is not after the issue time.
    PayloadInvalid,
    /// Signing: the key id is empty or too long.
    KeyIdInvalid,
    /// The text does not fit in a QR code.
    TooLarge,
}

impl CardError {
    /// Every variant, for tests and documentation.
    pub const ALL: [CardError; 13] = [
        CardError::Prefix,
        CardError::Encoding,
        CardError::Compression,
        CardError::Structure,
        CardError::Algorithm,
        CardError::UnknownKey,
        CardError::KeyNotValid,
        CardError::Signature,
        CardError::Expired,
        CardError::NotYetValid,
        CardError::PayloadInvalid,
        CardError::KeyIdInvalid,
        CardError::TooLarge,
    ];

    /// Stable machine code.
    pub fn code(self) -> &'static str {
        match self {
            CardError::Prefix => "qr_prefix",
            CardError::Encoding => "qr_encoding",
            CardError::Compression => "qr_compression",
            CardError::Structure => "qr_structure",
            CardError::Algorithm => "qr_algorithm",
            CardError::UnknownKey => "qr_unknown_key",
            CardError::KeyNotValid => "qr_key_not_valid",
            CardError::Signature => "qr_signature",
            CardError::Expired => "qr_expired",
            CardError::NotYetValid => "qr_not_yet_valid",
            CardError::PayloadInvalid => "qr_payload_invalid",
            CardError::KeyIdInvalid => "qr_key_id_invalid",
            CardError::TooLarge => "qr_too_large",
        }
    }

    pub fn message_ar(self) -> &'static str {
        match self {
            CardError::Prefix => "رمز QR غير صالح: ليس من رموز النظام",
            CardError::Encoding => "رمز QR غير صالح: ترميز النص تالف",
            CardError::Compression => "رمز QR غير صالح: تعذّر فك ضغط البيانات",
            CardError::Structure => "رمز QR غير صالح: بنية البيانات الموقّعة غير صحيحة",
            CardError::Algorithm => "رمز QR غير صالح: خوارزمية التوقيع غير مدعومة",
            CardError::UnknownKey => "رمز QR غير صالح: مفتاح التوقيع غير معروف",
            CardError::KeyNotValid => "رمز QR غير صالح: صدر خارج مدة صلاحية مفتاح التوقيع",
            CardError::Signature => "رمز QR غير صالح: التوقيع لا يطابق",
            CardError::Expired => "رمز QR منتهي الصلاحية",
            CardError::NotYetValid => "رمز QR غير صالح بعد: تاريخ إصداره في المستقبل",
            CardError::PayloadInvalid => {
                "لا يمكن التوقيع: يجب أن يكون تاريخ الانتهاء بعد تاريخ الإصدار"
            }
            CardError::KeyIdInvalid => "لا يمكن التوقيع: معرّف المفتاح يجب أن يكون من 1 إلى 64 بايت",
            CardError::TooLarge => "البيانات أكبر مما يتسع له رمز QR",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            CardError::Prefix => "Invalid QR code: not one of this system's codes",
            CardError::Encoding => "Invalid QR code: the text encoding is damaged",
            CardError::Compression => "Invalid QR code: the data cannot be decompressed",
            CardError::Structure => "Invalid QR code: the signed data is malformed",
            CardError::Algorithm => "Invalid QR code: unsupported signature algorithm",
            CardError::UnknownKey => "Invalid QR code: unknown signing key",
            CardError::KeyNotValid => {
                "Invalid QR code: issued outside the signing key's validity period"
            }
            CardError::Signature => "Invalid QR code: the signature does not match",
            CardError::Expired => "The QR code has expired",
            CardError::NotYetValid => "The QR code is not valid yet: it was issued in the future",
            CardError::PayloadInvalid => "Cannot sign: the expiry must come after the issue time",
            CardError::KeyIdInvalid => "Cannot sign: the key id must be 1 to 64 bytes",
            CardError::TooLarge => "The data is too large for a QR code",
        }
    }
}

impl std::fmt::Display for CardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message_en(), self.code())
    }
}

impl std::error::Error for CardError {}
