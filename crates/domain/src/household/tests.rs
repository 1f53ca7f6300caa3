use super::*;

fn today() -> Date {
    Date::new(2026, 11, 21).unwrap()
}

pub(crate) fn member(relation: &str, nid: Option<String>) -> MemberInput {
    MemberInput {
        national_id: nid,
        given_name: "أحمـد".into(),
        father_name: "عبد الله".into(),
        grandfather_name: "حسين".into(),
        family_name: Some("الربيعي".into()),
        mother_name: "فاطمة علي كاظم".into(),
        birth_date: "1980-05-17".into(),
        sex: "male".into(),
        relation: relation.into(),
        vulnerability: Vulnerability::default(),
    }
}

fn nid(n: u64) -> Option<String> {
    NationalId::from_payload(n).map(String::from)
}

fn household(members: Vec<MemberInput>) -> NewHousehold {
    NewHousehold {
        governorate: "11".into(),
        district: "1101".into(),
        address: "حي الحسين، زقاق 12، دار 4".into(),
        agent_code: None,
        phone: None,
        members,
    }
}

#[test]
fn a_valid_household_keeps_names_as_entered() {
    let geo = Geography::builtin().unwrap();
    let h = household(vec![
        member("head", nid(19_000_000_001)),
        member("son", None),
    ])
    .validate(&geo, today())
    .unwrap();
    assert_eq!(h.members[0].given_name, "أحمـد");
    assert_eq!(h.members[0].name_key(), "احمد عبدالله حسين ربيعي");
    assert_eq!(h.members[0].given_family_key(), "احمد ربيعي");
    assert_eq!(
        automatic_holds(&h.members[1]),
        vec![HoldReason::NoNationalId]
    );
    assert!(automatic_holds(&h.members[0]).is_empty());
}

#[test]
fn head_rules() {
    let geo = Geography::builtin().unwrap();
    let none = household(vec![member("son", None)])
        .validate(&geo, today())
        .unwrap_err();
    assert!(none.codes().contains(&"household_no_head"));
    let two = household(vec![member("head", None), member("head", None)])
        .validate(&geo, today())
        .unwrap_err();
    assert!(two.codes().contains(&"household_two_heads"));
    let empty = household(vec![]).validate(&geo, today()).unwrap_err();
    assert!(empty.codes().contains(&"household_no_head"));
}

#[test]
fn bad_fields_are_all_reported_with_paths() {
    let geo = Geography::builtin().unwrap();
    let mut m = member("head", Some("12345".into()));
    m.birth_date = "2030-01-01".into();
    m.sex = "x".into();
    m.given_name = "ـــ".into();
    let mut h = household(vec![
        m,
        member("son", nid(19_000_000_001)),
        member("daughter", nid(19_000_000_001)),
    ]);
    h.district = "0101".into();
    let e = h.validate(&geo, today()).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert!(fields.contains(&"members[0].national_id"), "{fields:?}");
    assert!(fields.contains(&"members[0].birth_date"));
    assert!(fields.contains(&"members[0].sex"));
    assert!(fields.contains(&"members[0].given_name"));
    assert!(fields.contains(&"district"));
    assert!(e.0.iter().all(|f| !f.message_en.is_empty()));
}

#[test]
fn duplicate_national_id_inside_a_household() {
    let geo = Geography::builtin().unwrap();
    let e = household(vec![
        member("head", nid(19_000_000_001)),
        member("son", nid(19_000_000_001)),
    ])
    .validate(&geo, today())
    .unwrap_err();
    assert_eq!(e.codes(), vec!["national_id_repeated"]);
}

#[test]
fn dates_accept_arabic_digits_and_refuse_impossible_days() {
    assert_eq!(parse_date("١٩٨٠-٠٥-١٧"), Date::new(1980, 5, 17).ok());
    assert_eq!(parse_date("1980-02-30"), None);
    assert_eq!(parse_date("1980/02/03"), None);
}

#[test]
fn age() {
    let geo = Geography::builtin().unwrap();
    let h = household(vec![member("head", None)])
        .validate(&geo, today())
        .unwrap();
    assert_eq!(h.members[0].age_on(Date::new(2026, 5, 16).unwrap()), 45);
    assert_eq!(h.members[0].age_on(Date::new(2026, 5, 17).unwrap()), 46);
}

#[test]
fn an_emoji_name_and_an_id_of_spaces_are_refused_with_codes() {
    let mut m = member("head", Some("   ".into()));
    m.given_name = "أحمد😀".into();
    m.mother_name = "زينب <b>".into();
    let e = m.validate(today()).unwrap_err();
    let got: Vec<(&str, &str)> = e.0.iter().map(|f| (f.field.as_str(), f.code)).collect();
    assert!(
        got.contains(&("national_id", "national_id_blank")),
        "{got:?}"
    );
    assert!(
        got.contains(&("given_name", "name_invalid_characters")),
        "{got:?}"
    );
    assert!(
        got.contains(&("mother_name", "name_invalid_characters")),
        "{got:?}"
    );
    // Empty is "no ID"; Kurdish and Latin letters are names.
    let mut k = member("head", Some(String::new()));
    k.given_name = "ڕێبین".into();
    k.family_name = Some("Al-Rubaie".into());
    assert!(k.validate(today()).unwrap().national_id.is_none());
}
