use super::*;
use crate::Geography;

fn karbala_main() -> CentreSchedule {
    let g = Geography::builtin().unwrap();
    CentreSchedule::of(g.centre("KRB-C04").unwrap()).unwrap()
}

fn at(s: &str) -> DateTime {
    parse_slot(s).unwrap()
}

#[test]
fn a_day_has_24_half_hour_slots_from_eight_to_eight() {
    let s = karbala_main();
    // 2026-11-23 is a Monday.
    let slots = s.slots_on(Date::new(2026, 11, 23).unwrap());
    assert_eq!(slots.len(), 24);
    assert_eq!(slot_text(slots[0]), "2026-11-23T08:00");
    assert_eq!(slot_text(slots[23]), "2026-11-23T19:30");
    assert_eq!(s.counters, 8);
    // Friday is the weekly rest day.
    assert!(s.slots_on(Date::new(2026, 11, 27).unwrap()).is_empty());
}

#[test]
fn only_future_grid_slots_within_hours_and_horizon_on_open_days() {
    let s = karbala_main();
    let now = at("2026-11-23T10:10");
    let ok = |x: &str| s.check(at(x), now, &[]);
    assert_eq!(ok("2026-11-23T10:30"), Ok(()));
    assert_eq!(ok("2026-11-23T19:30"), Ok(()));
    assert_eq!(ok("2026-11-23T10:00"), Err(SlotRefusal::InPast));
    assert_eq!(ok("2026-11-22T12:00"), Err(SlotRefusal::InPast));
    assert_eq!(ok("2026-11-24T07:30"), Err(SlotRefusal::OutsideHours));
    assert_eq!(ok("2026-11-24T20:00"), Err(SlotRefusal::OutsideHours));
    assert_eq!(ok("2026-11-24T23:30"), Err(SlotRefusal::OutsideHours));
    assert_eq!(ok("2026-11-24T09:15"), Err(SlotRefusal::NotOnGrid));
    assert_eq!(ok("2026-11-27T09:00"), Err(SlotRefusal::ClosedDay));
    assert_eq!(ok("2026-12-23T09:00"), Ok(()));
    assert_eq!(ok("2026-12-24T09:00"), Err(SlotRefusal::TooFarAhead));
    let holiday = [Date::new(2026, 11, 25).unwrap()];
    assert_eq!(
        s.check(at("2026-11-25T09:00"), now, &holiday),
        Err(SlotRefusal::Holiday)
    );
    assert_eq!(SlotRefusal::Holiday.error().code, "slot_holiday");
}

#[test]
fn slot_text_round_trips_and_accepts_arabic_digits() {
    assert_eq!(slot_text(at("٢٠٢٦-١١-٢٣ ٠٩:٣٠")), "2026-11-23T09:30");
    assert!(parse_slot("2026-11-23").is_none());
    assert!(parse_slot("2026-11-23T25:00").is_none());
    assert!(parse_slot("2026-02-30T09:00").is_none());
}

#[test]
fn documents_suffice_with_the_unified_card_or_the_old_pair() {
    use Document::*;
    assert!(documents_suffice(&[UnifiedCard]));
    assert!(documents_suffice(&[CivilId, NationalityCertificate]));
    assert!(!documents_suffice(&[CivilId]));
    assert!(!documents_suffice(&[]));
    let parsed = parse_documents(
        &[
            "nationality_certificate".into(),
            "civil_id".into(),
            "civil_id".into(),
        ],
        "documents",
    )
    .unwrap();
    assert_eq!(documents_text(&parsed), "civil_id,nationality_certificate");
    assert_eq!(
        documents_from_text("civil_id,nationality_certificate"),
        parsed
    );
    assert_eq!(
        parse_documents(&["passport".into()], "m.documents")
            .unwrap_err()
            .code,
        "document_unknown"
    );
}

#[test]
fn nearest_centres_come_from_the_district_then_by_distance() {
    let g = Geography::builtin().unwrap();
    let order: Vec<&str> = g
        .centres_by_distance("11", "1104")
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(order.len(), 10);
    assert_eq!(order[0], "KRB-D04");
    // al-Hurr lies just west of Karbala city: the city's centres come before al-Hindiya and Ain al-Tamr.
    let pos = |c: &str| order.iter().position(|x| *x == c).unwrap();
    assert!(pos("KRB-C01") < pos("KRB-D01"));
    assert_eq!(*order.last().unwrap(), "KRB-D05");
    assert!(g.centres_by_distance("01", "0101").is_empty());
    assert!((distance_km((32.616, 44.024), (32.563, 43.488)) - 50.5).abs() < 2.0);
}

#[test]
fn a_centre_may_set_its_own_slot_length() {
    let g = Geography::parse(
        "code,a,b,w\n11,كربلاء,Karbala,1\n",
        "code,g,a,b,w\n1101,11,مركز,centre,1\n",
        "c,d,a,b,o,c,n,lat,lon,m\nX1,1101,مركز,X,08:00,14:00,2,32.6,44.0,20\n",
    )
    .unwrap();
    let s = CentreSchedule::of(g.centre("X1").unwrap()).unwrap();
    assert_eq!(s.slots_on(Date::new(2026, 11, 23).unwrap()).len(), 18);
    let now = at("2026-11-23T07:00");
    assert_eq!(s.check(at("2026-11-23T08:20"), now, &[]), Ok(()));
    assert_eq!(
        s.check(at("2026-11-23T08:30"), now, &[]),
        Err(SlotRefusal::NotOnGrid)
    );
    assert_eq!(s.check(at("2026-11-23T13:40"), now, &[]), Ok(()));
    assert!(
        Geography::parse(
            "code,a,b,w\n11,كربلاء,Karbala,1\n",
            "code,g,a,b,w\n1101,11,مركز,centre,1\n",
            "c,d,a,b,o,c,n,lat,lon,m\nX1,1101,مركز,X,08:00,14:00,2,32.6,44.0,1\n",
        )
        .is_err(),
        "a one-minute slot is refused"
    );
}
