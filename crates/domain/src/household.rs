//! Households (the ration card) and their members, with the validation every input goes through.

use crate::card_number::CardNumber;
use crate::card_state::CardState;
use crate::error::{FieldError, ValidationErrors};
use crate::geography::Geography;
use crate::hold::{Hold, HoldReason};
use crate::national_id::NationalId;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "male" | "m" | "M" | "ذكر" => Some(Sex::Male),
            "female" | "f" | "F" | "أنثى" | "انثى" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// Relation to the head of household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Head,
    Spouse,
    Son,
    Daughter,
    Father,
    Mother,
    Brother,
    Sister,
    Grandchild,
    OtherRelative,
}

impl Relation {
    pub const ALL: [Relation; 10] = [
        Relation::Head,
        Relation::Spouse,
        Relation::Son,
        Relation::Daughter,
        Relation::Father,
        Relation::Mother,
        Relation::Brother,
        Relation::Sister,
        Relation::Grandchild,
        Relation::OtherRelative,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Relation::Head => "head",
            Relation::Spouse => "spouse",
            Relation::Son => "son",
            Relation::Daughter => "daughter",
            Relation::Father => "father",
            Relation::Mother => "mother",
            Relation::Brother => "brother",
            Relation::Sister => "sister",
            Relation::Grandchild => "grandchild",
            Relation::OtherRelative => "other_relative",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
    pub fn label_ar(self) -> &'static str {
        match self {
            Relation::Head => "رب الأسرة",
            Relation::Spouse => "زوج/زوجة",
            Relation::Son => "ابن",
            Relation::Daughter => "ابنة",
            Relation::Father => "أب",
            Relation::Mother => "أم",
            Relation::Brother => "أخ",
            Relation::Sister => "أخت",
            Relation::Grandchild => "حفيد/حفيدة",
            Relation::OtherRelative => "قريب آخر",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Relation::Head => "head of household",
            Relation::Spouse => "spouse",
            Relation::Son => "son",
            Relation::Daughter => "daughter",
            Relation::Father => "father",
            Relation::Mother => "mother",
            Relation::Brother => "brother",
            Relation::Sister => "sister",
            Relation::Grandchild => "grandchild",
            Relation::OtherRelative => "other relative",
        }
    }
}

/// Why a member may need a home visit by a mobile team.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Vulnerability {
    #[serde(default)]
    pub elderly: bool,
    #[serde(default)]
    pub sick: bool,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Present,
    Removed,
}

impl Presence {
    pub fn code(self) -> &'static str {
        match self {
            Presence::Present => "present",
            Presence::Removed => "removed",
        }
    }
}

/// A member as it arrives from the API or a CSV row: text, not yet trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// Unified national ID (12 digits, Arabic-Indic digits accepted); absent for members without one.
    #[serde(default)]
    pub national_id: Option<String>,
    pub given_name: String,
    pub father_name: String,
    pub grandfather_name: String,
    /// Family or tribe name (اللقب); absent when the person has none.
    #[serde(default)]
    pub family_name: Option<String>,
    /// The mother's full name.
    pub mother_name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `male` or `female`.
    pub sex: String,
    /// Relation to the head: `head`, `spouse`, `son`, `daughter`, `father`, `mother`, `brother`, `sister`,
    /// `grandchild`, `other_relative`.
    pub relation: String,
    #[serde(default)]
    pub vulnerability: Vulnerability,
}

/// Member data after validation. Names are kept exactly as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberData {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub national_id: Option<NationalId>,
    pub given_name: String,
    pub father_name: String,
    pub grandfather_name: String,
    pub family_name: Option<String>,
    pub mother_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub birth_date: Date,
    pub sex: Sex,
    pub relation: Relation,
    pub vulnerability: Vulnerability,
}

impl MemberData {
    /// The chain as one line: given, father, grandfather, family.
    pub fn full_name(&self) -> String {
        let mut s = format!(
            "{} {} {}",
            self.given_name, self.father_name, self.grandfather_name
        );
        if let Some(f) = &self.family_name {
            s.push(' ');
            s.push_str(f);
        }
        s
    }
    /// Search key of the whole chain (given father grandfather family).
    pub fn name_key(&self) -> String {
        tamwin_text_ar::chain_key(&[
            Some(&self.given_name),
            Some(&self.father_name),
            Some(&self.grandfather_name),
            self.family_name.as_deref(),
        ])
    }
    /// Search key of the given name followed by the family name, for "أحمد الربيعي"-style queries.
    pub fn given_family_key(&self) -> String {
        tamwin_text_ar::chain_key(&[Some(&self.given_name), self.family_name.as_deref()])
    }
    pub fn age_on(&self, day: Date) -> i16 {
        let mut age = day.year() - self.birth_date.year();
        if (day.month(), day.day()) < (self.birth_date.month(), self.birth_date.day()) {
            age -= 1;
        }
        age
    }
}

const NAME_MAX_CHARS: usize = 80;
const ADDRESS_MAX_CHARS: usize = 300;
pub const MEMBERS_MAX: usize = 40;

fn check_name(field: &str, value: &str, required: bool, errs: &mut ValidationErrors) {
    let key = tamwin_text_ar::name_key(value);
    if key.is_empty() {
        if required {
            errs.push(FieldError::new(
                field,
                "name_required",
                "the name is required",
            ));
        } else {
            errs.push(FieldError::new(
                field,
                "name_empty",
                "the name is empty; omit it if there is none",
            ));
        }
    } else if value.chars().count() > NAME_MAX_CHARS {
        errs.push(FieldError::new(
            field,
            "name_too_long",
            "the name is longer than 80 characters",
        ));
    } else if tamwin_text_ar::has_non_name_chars(value) {
        errs.push(FieldError::new(
            field,
            "name_invalid_characters",
            "the name may hold only Arabic, Kurdish or Latin letters, spaces and - ' . (no digits, symbols or emoji)",
        ));
    }
}

/// Parses `YYYY-MM-DD` (Arabic-Indic digits accepted).
pub fn parse_date(s: &str) -> Option<Date> {
    let s = tamwin_text_ar::fold_digits(s.trim());
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i16 = s[0..4].parse().ok()?;
    let m: i8 = s[5..7].parse().ok()?;
    let d: i8 = s[8..10].parse().ok()?;
    Date::new(y, m, d).ok()
}

impl MemberInput {
    /// Validates one member; `today` bounds the date of birth.
    pub fn validate(&self, today: Date) -> Result<MemberData, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        // Empty means none; spaces alone are refused by the parser (`national_id_blank`).
        let national_id = match self.national_id.as_deref() {
            None | Some("") => None,
            Some(s) => match NationalId::parse(s) {
                Ok(id) => Some(id),
                Err(e) => {
                    errs.push(e.under("national_id"));
                    None
                }
            },
        };
        check_name("given_name", &self.given_name, true, &mut errs);
        check_name("father_name", &self.father_name, true, &mut errs);
        check_name("grandfather_name", &self.grandfather_name, true, &mut errs);
        if let Some(f) = &self.family_name {
            check_name("family_name", f, false, &mut errs);
        }
        check_name("mother_name", &self.mother_name, true, &mut errs);
        let birth_date = match parse_date(&self.birth_date) {
            Some(d) if d > today => {
                errs.push(FieldError::new(
                    "birth_date",
                    "birth_date_in_future",
                    "the date of birth is in the future",
                ));
                None
            }
            Some(d) if d.year() < 1900 => {
                errs.push(FieldError::new(
                    "birth_date",
                    "birth_date_too_old",
                    "the date of birth is before 1900",
                ));
                None
            }
            Some(d) => Some(d),
            None => {
                errs.push(FieldError::new(
                    "birth_date",
                    "birth_date_malformed",
                    "the date of birth must be a real date written YYYY-MM-DD",
                ));
                None
            }
        };
        let sex = Sex::parse(self.sex.trim());
        if sex.is_none() {
            errs.push(FieldError::new(
                "sex",
                "sex_invalid",
                "sex must be male or female",
            ));
        }
        let relation = Relation::parse(self.relation.trim());
        if relation.is_none() {
            errs.push(FieldError::new(
                "relation",
                "relation_invalid",
                "unknown relation to the head",
            ));
        }
        match (birth_date, sex, relation) {
            (Some(birth_date), Some(sex), Some(relation)) if errs.is_empty() => Ok(MemberData {
                national_id,
                given_name: self.given_name.clone(),
                father_name: self.father_name.clone(),
                grandfather_name: self.grandfather_name.clone(),
                family_name: self.family_name.clone(),
                mother_name: self.mother_name.clone(),
                birth_date,
                sex,
                relation,
                vulnerability: self.vulnerability,
            }),
            _ => Err(errs),
        }
    }
}

/// A household as submitted: where it lives and who is in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewHousehold {
    /// Governorate code, `01`..`19`.
    pub governorate: String,
    /// District code (four digits, starting with the governorate code).
    pub district: String,
    pub address: String,
    /// Code of the ration agent the household collects from.
    #[serde(default)]
    pub agent_code: Option<String>,
    /// Mobile number of the household, for the citizen's sign-in by one-time code.
    #[serde(default)]
    pub phone: Option<String>,
    pub members: Vec<MemberInput>,
}

/// A household that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidHousehold {
    pub governorate: String,
    pub district: String,
    pub address: String,
    pub agent_code: Option<String>,
    pub phone: Option<crate::Phone>,
    pub members: Vec<MemberData>,
}

/// Exactly one head; no national ID twice; at most 40 present members. Shared by creation and every change to the member list.
pub fn check_member_set(members: &[&MemberData], errs: &mut ValidationErrors) {
    if members.len() > MEMBERS_MAX {
        errs.push(FieldError::new(
            "members",
            "household_too_many_members",
            "more than 40 members",
        ));
    }
    let heads = members
        .iter()
        .filter(|m| m.relation == Relation::Head)
        .count();
    if heads == 0 {
        errs.push(FieldError::new(
            "members",
            "household_no_head",
            "a household must have exactly one head; none given",
        ));
    } else if heads > 1 {
        errs.push(FieldError::new(
            "members",
            "household_two_heads",
            "a household must have exactly one head; more than one given",
        ));
    }
    let mut ids: Vec<&str> = members
        .iter()
        .filter_map(|m| m.national_id.as_ref().map(NationalId::as_str))
        .collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        errs.push(FieldError::new(
            "members",
            "national_id_repeated",
            "the same national ID appears twice in the household",
        ));
    }
}

impl NewHousehold {
    pub fn validate(
        &self,
        geo: &Geography,
        today: Date,
    ) -> Result<ValidHousehold, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let gov = tamwin_text_ar::fold_digits(self.governorate.trim());
        let district = tamwin_text_ar::fold_digits(self.district.trim());
        if geo.governorate(&gov).is_none() {
            errs.push(FieldError::new(
                "governorate",
                "governorate_unknown",
                "unknown governorate code",
            ));
        } else if geo
            .district(&district)
            .is_none_or(|d| d.governorate_code != gov)
        {
            errs.push(FieldError::new(
                "district",
                "district_unknown",
                "unknown district code for this governorate",
            ));
        }
        if let Some(e) = crate::error::check_free_text("address", &self.address, ADDRESS_MAX_CHARS)
        {
            errs.push(e);
        } else if tamwin_text_ar::tokens(&self.address).is_empty() {
            errs.push(FieldError::new(
                "address",
                "address_required",
                "the address is required",
            ));
        } else if self.address.chars().count() > ADDRESS_MAX_CHARS {
            errs.push(FieldError::new(
                "address",
                "address_too_long",
                "the address is longer than 300 characters",
            ));
        }
        let phone = match self.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => crate::Phone::parse(s).map_err(|e| errs.push(e)).ok(),
        };
        if self.members.is_empty() {
            errs.push(FieldError::new(
                "members",
                "household_no_head",
                "a household must have exactly one head; no members given",
            ));
        }
        let mut members = Vec::with_capacity(self.members.len());
        for (i, m) in self.members.iter().enumerate() {
            match m.validate(today) {
                Ok(d) => members.push(d),
                Err(e) => {
                    for fe in e.0 {
                        errs.push(fe.under(&format!("members[{i}]")));
                    }
                }
            }
        }
        if !self.members.is_empty() && members.len() == self.members.len() {
            check_member_set(&members.iter().collect::<Vec<_>>(), &mut errs);
        }
        errs.into_result(ValidHousehold {
            governorate: gov,
            district,
            address: self.address.clone(),
            agent_code: self.agent_code.clone().filter(|a| !a.trim().is_empty()),
            phone,
            members,
        })
    }
}

/// A member as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member_id: crate::MemberId,
    /// Position on the card, 1 for the first member entered.
    pub member_no: i64,
    #[serde(flatten)]
    pub data: MemberData,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub presence: Presence,
    pub removed_reason: Option<String>,
}

impl std::ops::Deref for Member {
    type Target = MemberData;
    fn deref(&self) -> &MemberData {
        &self.data
    }
}

/// The household row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Household {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub household_id: crate::HouseholdId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub card_number: CardNumber,
    pub governorate: String,
    pub district: String,
    pub address: String,
    pub agent_code: Option<String>,
    /// The flour agent (issue 16), set by an assignment, never by registration.
    #[serde(default)]
    pub flour_agent_code: Option<String>,
    /// Mobile number the citizen signs in with; at most one open household per number.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<crate::Phone>,
    pub state: CardState,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub head_member_id: crate::MemberId,
    /// Optimistic-concurrency version, incremented by every change.
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: jiff::Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: jiff::Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<jiff::Timestamp>,
}

/// A household with its members and holds: the unit every store operation reads and writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdRecord {
    pub household: Household,
    pub members: Vec<Member>,
    pub holds: Vec<Hold>,
}

impl HouseholdRecord {
    /// Recomputes the card state from members and holds (the domain rule).
    pub fn derived_state(&self) -> CardState {
        crate::card_state::card_state(
            self.household.closed_at.is_some(),
            &self.members,
            &self.holds,
        )
    }
    pub fn member(&self, member_id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.member_id == member_id)
    }
    pub fn present_members(&self) -> impl Iterator<Item = &Member> {
        self.members
            .iter()
            .filter(|m| m.presence == Presence::Present)
    }
    pub fn active_holds(&self) -> impl Iterator<Item = &Hold> {
        self.holds.iter().filter(|h| h.is_active())
    }
}

/// Holds the registry places by rule on a new member: a member without a unified card gets the
/// "no national ID" hold, which makes the card temporary until the card is linked.
pub fn automatic_holds(member: &MemberData) -> Vec<HoldReason> {
    if member.national_id.is_none() {
        vec![HoldReason::NoNationalId]
    } else {
        vec![]
    }
}

#[cfg(test)]
mod tests;
