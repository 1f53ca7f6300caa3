//! Reason-coded holds (حجب) on a member or a whole household, with the cure path the citizen reads.

use serde::{Deserialize, Serialize};

/// Why a hold was placed. The code strings are stable: they are stored and sent over the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    Deceased,
    Abroad,
    Duplicate,
    Fictitious,
    NotVerifiedInPerson,
    NoNationalId,
    DataMismatch,
    Other,
}

impl HoldReason {
    pub const ALL: [HoldReason; 8] = [
        HoldReason::Deceased,
        HoldReason::Abroad,
        HoldReason::Duplicate,
        HoldReason::Fictitious,
        HoldReason::NotVerifiedInPerson,
        HoldReason::NoNationalId,
        HoldReason::DataMismatch,
        HoldReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HoldReason::Deceased => "deceased",
            HoldReason::Abroad => "abroad",
            HoldReason::Duplicate => "duplicate",
            HoldReason::Fictitious => "fictitious",
            HoldReason::NotVerifiedInPerson => "not_verified_in_person",
            HoldReason::NoNationalId => "no_national_id",
            HoldReason::DataMismatch => "data_mismatch",
            HoldReason::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label_ar(self) -> &'static str {
        match self {
            HoldReason::Deceased => "متوفى",
            HoldReason::Abroad => "مقيم خارج العراق",
            HoldReason::Duplicate => "مسجّل في أكثر من بطاقة",
            HoldReason::Fictitious => "اسم وهمي (لا يطابق أي شخص في السجل المدني)",
            HoldReason::NotVerifiedInPerson => "لم يحضر للتحقق الشخصي",
            HoldReason::NoNationalId => "لا يملك البطاقة الوطنية الموحدة",
            HoldReason::DataMismatch => "بيانات لا تطابق السجل المدني",
            HoldReason::Other => "سبب آخر",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            HoldReason::Deceased => "deceased",
            HoldReason::Abroad => "living abroad",
            HoldReason::Duplicate => "registered on more than one card",
            HoldReason::Fictitious => "fictitious name (matches nobody in the civil registry)",
            HoldReason::NotVerifiedInPerson => "did not attend in-person verification",
            HoldReason::NoNationalId => "no unified national card",
            HoldReason::DataMismatch => "data does not match the civil registry",
            HoldReason::Other => "other reason",
        }
    }

    /// What the citizen does to lift the hold, in Arabic.
    pub fn cure_ar(self) -> &'static str {
        match self {
            HoldReason::Deceased => {
                "إذا كان الشخص على قيد الحياة فليراجع مركز التحديث بنفسه مع البطاقة الوطنية الموحدة لتصحيح السجل؛ وإلا يُرفع اسمه من البطاقة."
            }
            HoldReason::Abroad => {
                "عند العودة إلى العراق يراجع مركز التحديث بالبطاقة الوطنية الموحدة؛ للدراسة أو العلاج في الخارج يُقدَّم طلب استثناء مع المستند."
            }
            HoldReason::Duplicate => {
                "يراجع رب الأسرة مركز التحديث لتحديد البطاقة الصحيحة، ويُحذف الاسم من البطاقة الأخرى."
            }
            HoldReason::Fictitious => {
                "يحضر الشخص بنفسه إلى مركز التحديث مع البطاقة الوطنية الموحدة لإثبات وجوده، أو يُقدَّم اعتراض مع المستندات."
            }
            HoldReason::NotVerifiedInPerson => {
                "احجز موعداً جديداً في مركز التحديث واحضر مع المستندات الأصلية، أو اطلب زيارة الفريق الجوال لكبار السن والمرضى وذوي الإعاقة."
            }
            HoldReason::NoNationalId => {
                "استخرج البطاقة الوطنية الموحدة من دائرة الأحوال المدنية؛ تُستعمل البطاقة التموينية المؤقتة حتى ذلك الحين وتُحوَّل تلقائياً."
            }
            HoldReason::DataMismatch => {
                "راجع مركز التحديث مع البطاقة الوطنية الموحدة لتصحيح البيانات."
            }
            HoldReason::Other => "راجع مركز التحديث أو دائرة التموين في منطقتك لمعرفة التفاصيل.",
        }
    }

    /// What the citizen does to lift the hold, in English.
    pub fn cure_en(self) -> &'static str {
        match self {
            HoldReason::Deceased => {
                "If the person is alive, they come to an update centre in person with the unified national card to correct the record; otherwise the name is removed from the card."
            }
            HoldReason::Abroad => {
                "On return to Iraq, come to an update centre with the unified national card; for study or medical treatment abroad, apply for an exemption with the document."
            }
            HoldReason::Duplicate => {
                "The head of household comes to an update centre to settle which card is right; the name is removed from the other card."
            }
            HoldReason::Fictitious => {
                "The person comes to an update centre in person with the unified national card to prove they exist, or appeals with documents."
            }
            HoldReason::NotVerifiedInPerson => {
                "Book a new appointment at the update centre and attend with the original documents, or request a mobile-team home visit for the elderly, sick or disabled."
            }
            HoldReason::NoNationalId => {
                "Obtain the unified national card from the civil-status directorate; the temporary ration card is used until then and converted automatically."
            }
            HoldReason::DataMismatch => {
                "Come to an update centre with the unified national card to correct the data."
            }
            HoldReason::Other => {
                "Ask at the update centre or the supply office of your area for the details."
            }
        }
    }

    /// A member with this hold is left out of the entitlement.
    pub fn excludes_member(self) -> bool {
        !matches!(self, HoldReason::NoNationalId)
    }
}

/// Whom a hold is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "level", content = "member_id", rename_all = "snake_case")]
pub enum HoldScope {
    Household,
    Member(crate::MemberId),
}

/// One hold. Lifted holds stay in the record with who lifted them and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hold {
    pub hold_id: String,
    /// `None` for a hold on the whole household.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub member_id: Option<crate::MemberId>,
    pub reason: HoldReason,
    /// What the hold rests on: a death record number, a screening match, an officer's observation.
    pub evidence: String,
    /// Where the evidence came from: `civil_registry`, `screening`, `update_centre`, `registry_rule`, `import`.
    pub source: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub since: jiff::Timestamp,
    pub placed_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub lifted_at: Option<jiff::Timestamp>,
    pub lifted_by: Option<String>,
    pub lift_reason: Option<String>,
}

impl Hold {
    pub fn is_active(&self) -> bool {
        self.lifted_at.is_none()
    }
    pub fn scope(&self) -> HoldScope {
        match &self.member_id {
            None => HoldScope::Household,
            Some(m) => HoldScope::Member(m.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_every_reason_has_a_cure() {
        for r in HoldReason::ALL {
            assert_eq!(HoldReason::parse(r.code()), Some(r));
            assert!(!r.cure_ar().is_empty() && !r.cure_en().is_empty());
            assert!(!r.label_ar().is_empty() && !r.label_en().is_empty());
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.code()));
        }
        assert_eq!(HoldReason::parse("unknown"), None);
    }
}
