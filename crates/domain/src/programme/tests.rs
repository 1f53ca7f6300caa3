use super::*;

fn parse(json: serde_json::Value) -> Result<Programme, Vec<&'static str>> {
    let raw: RawProgramme = serde_json::from_value(json).expect("shape");
    parse::programme(&raw).map_err(|e| e.codes())
}

/// Iraq's public distribution basket (facts.md, "Iraq PDS basket", 2023) with its supplement.
fn iraq() -> serde_json::Value {
    serde_json::json!({
        "code": "iq-pds", "country": "IQ", "kind": "basket",
        "versions": [{
            "version": 1, "effective_from": "2026-01",
            "per_person": [
                {"item": "rice", "quantity": 3000, "unit": "g"},
                {"item": "sugar", "quantity": 1000, "unit": "g"},
                {"item": "vegetable_oil", "quantity": 1000, "unit": "ml"},
                {"item": "tomato_paste", "quantity": 400, "unit": "g"},
                {"item": "lentils", "quantity": 500, "unit": "g"},
                {"item": "chickpeas", "quantity": 500, "unit": "g"}
            ],
            "supplement_for": ["social_welfare", "low_income"],
            "supplement": [
                {"item": "vegetable_oil", "quantity": 1000, "unit": "ml"},
                {"item": "sugar", "quantity": 1000, "unit": "g"},
                {"item": "milk_powder", "quantity": 200, "unit": "g"},
                {"item": "tea", "quantity": 250, "unit": "g"},
                {"item": "flour", "quantity": 1000, "unit": "g"}
            ],
            "skip": ["2026-06"],
            "only": {"2026-07": ["rice", "sugar"]},
            "rules": [{"code": "public_employee_high_income", "when": [
                {"field": "head_sector", "is": "public"},
                {"field": "head_monthly_income", "at_least": 1500000000}
            ]}]
        }]
    })
}

fn amount(o: &[Owed], item: &str) -> i64 {
    o.iter().find(|x| x.item == item).map_or(0, |x| x.amount)
}

#[test]
fn the_iraqi_basket_is_per_person_with_the_supplement_for_listed_households() {
    let p = parse(iraq()).unwrap();
    let m = CycleMonth::parse("2026-03").unwrap();
    let v = p.version_for(m).unwrap();
    let five = owed(v, m, 5, &[]).unwrap();
    assert_eq!(amount(&five, "rice"), 15_000);
    assert_eq!(amount(&five, "vegetable_oil"), 5_000);
    assert_eq!(amount(&five, "tea"), 0, "no supplement without a category");
    let welfare = owed(v, m, 5, &[Category::SocialWelfare]).unwrap();
    assert_eq!(amount(&welfare, "sugar"), 10_000, "1 kg plus 1 kg a person");
    assert_eq!(amount(&welfare, "tea"), 1_250);
    assert_eq!(amount(&welfare, "flour"), 5_000);
    // A skipped month owes nothing; a month with a subset owes only its items.
    assert!(
        owed(v, CycleMonth::parse("2026-06").unwrap(), 5, &[])
            .unwrap()
            .is_empty()
    );
    let july = owed(v, CycleMonth::parse("2026-07").unwrap(), 5, &[]).unwrap();
    assert_eq!(
        july.iter().map(|o| o.item).collect::<Vec<_>>(),
        ["rice", "sugar"]
    );
    // Nobody counted, nothing owed; before the first version, no programme.
    assert!(owed(v, m, 0, &[]).unwrap().is_empty());
    assert!(
        p.version_for(CycleMonth::parse("2025-12").unwrap())
            .is_none()
    );
}

#[test]
fn egypts_bread_is_credited_per_day_and_the_allowance_is_capped_per_card() {
    let bread = parse(serde_json::json!({
        "code": "eg-bread", "country": "EG", "kind": "bread",
        "versions": [{"version": 1, "effective_from": "2026-01",
            "loaves_per_person_per_day": 5, "unused_loaf_value": 10}]
    }))
    .unwrap();
    let feb = CycleMonth::parse("2026-02").unwrap();
    let v = bread.version_for(feb).unwrap();
    assert_eq!(amount(&owed(v, feb, 4, &[]).unwrap(), "bread"), 5 * 4 * 28);
    let march = CycleMonth::parse("2026-03").unwrap();
    assert_eq!(
        amount(&owed(v, march, 4, &[]).unwrap(), "bread"),
        5 * 4 * 31
    );
    assert_eq!(entitle::unused_bread_credit(v, 30).unwrap(), 300);

    let allowance = parse(serde_json::json!({
        "code": "eg-commodities", "country": "EG", "kind": "allowance",
        "versions": [{"version": 1, "effective_from": "2026-01", "money_per_person": 5000,
            "items": [
                {"item": "sugar", "price": 1250, "per": 1000, "unit": "g", "cap_per_person": 1000, "cap_per_card": 6000},
                {"item": "rice", "price": 1500, "per": 1000, "unit": "g"},
                {"item": "pasta", "price": 900, "per": 500, "unit": "g"}
            ],
            "choose_one": [["rice", "pasta"]]}]
    }))
    .unwrap();
    let v = allowance.version_for(feb).unwrap();
    assert_eq!(
        amount(&owed(v, feb, 3, &[]).unwrap(), "money"),
        15_000,
        "EGP 50 a person"
    );
    let Benefit::Allowance {
        items, choose_one, ..
    } = &v.benefit
    else {
        panic!("allowance")
    };
    assert_eq!(entitle::cap(&items[0], 3), Some(3_000));
    assert_eq!(
        entitle::cap(&items[0], 8),
        Some(6_000),
        "6 kg a card at most"
    );
    assert_eq!(entitle::cap(&items[1], 8), None);
    assert_eq!(choose_one, &vec![vec!["rice", "pasta"]]);
}

#[test]
fn a_new_version_takes_over_from_its_month_and_history_stays() {
    let mut f = iraq();
    let mut second = f["versions"][0].clone();
    second["version"] = 2.into();
    second["effective_from"] = "2026-09".into();
    second["per_person"][0]["quantity"] = 2000.into();
    // Its own skipped and partial months, none before it takes effect.
    second["skip"] = serde_json::json!(["2026-10"]);
    second["only"] = serde_json::json!({});
    f["versions"].as_array_mut().unwrap().push(second);
    let p = parse(f).unwrap();
    let rice = |m: &str| {
        let m = CycleMonth::parse(m).unwrap();
        amount(&owed(p.version_for(m).unwrap(), m, 1, &[]).unwrap(), "rice")
    };
    assert_eq!(rice("2026-08"), 3000);
    assert_eq!(rice("2026-09"), 2000);
    assert_eq!(p.versions.len(), 2);
}

#[test]
fn bad_programmes_are_refused_with_a_code_for_each_problem() {
    let with = |path: &[&str], value: serde_json::Value| {
        let mut f = iraq();
        let mut at = &mut f;
        for k in &path[..path.len() - 1] {
            at = match k.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*k],
            };
        }
        let last = path[path.len() - 1];
        match last.parse::<usize>() {
            Ok(i) => at[i] = value,
            Err(_) => at[last] = value,
        }
        parse(f).unwrap_err()
    };
    let q = ["versions", "0", "per_person", "0", "quantity"];
    assert_eq!(with(&q, serde_json::json!(-3000)), ["quantity_negative"]);
    assert_eq!(with(&q, serde_json::json!(2.5)), ["quantity_not_integer"]);
    assert_eq!(
        with(&q, serde_json::json!(3000.0)),
        ["quantity_not_integer"],
        "a float, even whole"
    );
    assert_eq!(
        with(&q, serde_json::json!("3000")),
        ["quantity_not_integer"]
    );
    assert_eq!(with(&q, serde_json::json!(0)), ["quantity_zero"]);
    let item = ["versions", "0", "per_person", "0", "item"];
    assert_eq!(with(&item, "caviar".into()), ["item_unknown"]);
    let unit = ["versions", "0", "per_person", "0", "unit"];
    assert_eq!(with(&unit, "kg".into()), ["unit_unknown"]);
    assert_eq!(with(&unit, "ml".into()), ["unit_mismatch"]);
    assert_eq!(
        with(&["versions", "0", "effective_from"], "2026-13".into()),
        ["month_invalid"]
    );
    assert_eq!(with(&["country"], "FR".into()), ["country_unknown"]);
    assert_eq!(
        with(&["kind"], "voucher".into()),
        ["programme_kind_unknown"]
    );
    assert_eq!(with(&["code"], "IQ PDS".into()), ["programme_code_invalid"]);
    assert_eq!(
        with(&["versions", "0", "supplement_for", "0"], "friends".into()),
        ["category_unknown"]
    );
    // Two versions from the same month overlap; so does a lower number later.
    let mut f = iraq();
    let again = f["versions"][0].clone();
    f["versions"].as_array_mut().unwrap().push(again);
    assert_eq!(parse(f).unwrap_err(), ["programme_versions_overlap"]);
    // Skipped and partial months belong to the version; rule codes name one rule each.
    assert_eq!(
        with(&["versions", "0", "skip", "0"], "2025-06".into()),
        ["month_before_version"]
    );
    let mut f = iraq();
    f["versions"][0]["skip"] = serde_json::json!(["2026-06", "2026-06"]);
    assert_eq!(parse(f).unwrap_err(), ["month_repeated"]);
    let mut f = iraq();
    f["versions"][0]["only"] = serde_json::json!({"2026-06": ["rice"]});
    assert_eq!(
        parse(f).unwrap_err(),
        ["month_repeated"],
        "a skipped month cannot carry items"
    );
    assert_eq!(
        with(&["versions", "0", "rules", "0", "code"], "".into()),
        ["rule_code_invalid"]
    );
    let mut f = iraq();
    let rule = f["versions"][0]["rules"][0].clone();
    f["versions"][0]["rules"].as_array_mut().unwrap().push(rule);
    assert_eq!(parse(f).unwrap_err(), ["rule_code_repeated"]);
    // Every problem of a file is reported at once, under its field's path.
    let mut f = iraq();
    f["versions"][0]["per_person"][1]["quantity"] = serde_json::json!(-1);
    f["versions"][0]["per_person"][2]["item"] = "caviar".into();
    let raw: RawProgramme = serde_json::from_value(f).unwrap();
    let e = parse::programme(&raw).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "versions[0].per_person[1].quantity",
            "versions[0].per_person[2].item"
        ]
    );
    // A field the format does not have is refused when the file is read.
    let mut f = iraq();
    f["versions"][0]["bonus"] = 1.into();
    assert!(serde_json::from_value::<RawProgramme>(f).is_err());
}

#[test]
fn a_programme_whose_figures_overflow_is_an_error_not_a_wrapped_amount() {
    let mut f = iraq();
    f["versions"][0]["per_person"][0]["quantity"] = i64::MAX.into();
    let p = parse(f).unwrap();
    let m = CycleMonth::parse("2026-02").unwrap();
    assert_eq!(owed(p.version_for(m).unwrap(), m, 2, &[]), Err(Overflow));
}

#[test]
fn months_parse_order_and_count_their_days() {
    let m = CycleMonth::parse("2026-12").unwrap();
    assert_eq!(m.next().to_string(), "2027-01");
    assert!(m < m.next());
    assert_eq!(CycleMonth::parse("2028-02").unwrap().days(), 29);
    for bad in ["2026-1", "26-12", "2026-00", "2026/12", ""] {
        assert!(CycleMonth::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_public_employee_head_paid_enough_excludes_the_household_and_members_count_by_dates() {
    use eligibility::{HouseholdFacts, MemberFacts, counted, excluded_by};
    let p = parse(iraq()).unwrap();
    let rules = &p.versions[0].rules;
    let head = |sector: &str, income: i64| HouseholdFacts {
        head_sector: Some(sector.into()),
        head_monthly_income: Some(income),
        ..Default::default()
    };
    // 1.5 million IQD is 1,500,000,000 fils.
    let out = excluded_by(rules, &head("public", 1_500_000_000)).expect("excluded");
    assert_eq!(out.code, "public_employee_high_income");
    assert!(excluded_by(rules, &head("public", 1_499_999_999)).is_none());
    assert!(excluded_by(rules, &head("private", 3_000_000_000)).is_none());
    assert!(
        excluded_by(rules, &HouseholdFacts::default()).is_none(),
        "nothing declared, nothing excluded"
    );

    let m = |s: &str| CycleMonth::parse(s).unwrap();
    let nov = m("2026-11");
    assert!(counted(&MemberFacts::default(), nov));
    assert!(!counted(
        &MemberFacts {
            held: true,
            ..Default::default()
        },
        nov
    ));
    let newborn = MemberFacts {
        birth_confirmed: Some(m("2026-10")),
        ..Default::default()
    };
    assert!(
        !counted(&newborn, m("2026-10")),
        "not in the month of confirmation"
    );
    assert!(counted(&newborn, nov), "from the cycle after");
    let died = MemberFacts {
        left: Some(m("2026-10")),
        ..Default::default()
    };
    assert!(counted(&died, m("2026-10")), "still in the month of death");
    assert!(!counted(&died, nov), "not from the cycle after");
}

#[test]
fn a_rule_naming_an_unknown_field_or_comparing_it_wrongly_is_refused() {
    let bad = |cond: serde_json::Value| {
        let mut f = iraq();
        f["versions"][0]["rules"][0]["when"][0] = cond;
        parse(f).unwrap_err()
    };
    assert_eq!(
        bad(serde_json::json!({"field": "shoe_size", "at_least": 40})),
        ["rule_field_unknown"]
    );
    assert_eq!(
        bad(serde_json::json!({"field": "head_sector", "at_least": 1})),
        ["rule_comparison_invalid"]
    );
    assert_eq!(
        bad(serde_json::json!({"field": "head_sector", "is": "astronaut"})),
        ["sector_unknown"]
    );
    assert_eq!(
        bad(serde_json::json!({"field": "head_monthly_income", "at_least": 1.5})),
        ["quantity_not_integer"]
    );
    assert_eq!(
        bad(serde_json::json!({"field": "social_welfare", "is": "yes"})),
        ["rule_comparison_invalid"]
    );
    let mut f = iraq();
    f["versions"][0]["rules"][0]["when"] = serde_json::json!([]);
    assert_eq!(parse(f).unwrap_err(), ["rule_without_condition"]);
}

#[test]
fn the_shipped_programme_files_are_valid() {
    for (code, text) in BUILTIN {
        let p = parse(serde_json::from_str(text).expect("JSON")).expect(code);
        assert_eq!(p.code, code);
        let m = CycleMonth::parse("2026-12").unwrap();
        assert!(
            !owed(p.version_for(m).unwrap(), m, 1, &[])
                .unwrap()
                .is_empty(),
            "{code}"
        );
    }
}

#[test]
fn an_income_band_meets_a_threshold_only_when_the_whole_band_does() {
    use eligibility::{HouseholdFacts, excluded_by};
    let p =
        parse(serde_json::from_str(include_str!("../../data/programmes/eg-bread.json")).unwrap())
            .unwrap();
    let rules = &p.versions[0].rules;
    let band = |b: &str| HouseholdFacts {
        income_band: Some(b.into()),
        ..Default::default()
    };
    // EGP 2,400 a month (240,000 piastres) or more: no new card.
    assert!(excluded_by(rules, &band("2400_4999")).is_some());
    assert!(excluded_by(rules, &band("5000_plus")).is_some());
    assert!(excluded_by(rules, &band("1000_2399")).is_none());
    assert!(excluded_by(rules, &band("under_1000")).is_none());
    // An amount on record wins over the band.
    let both = HouseholdFacts {
        household_monthly_income: Some(200_000),
        income_band: Some("5000_plus".into()),
        ..Default::default()
    };
    assert!(excluded_by(rules, &both).is_none());
    // A rule may name a band itself; an unknown band is refused.
    let rule = |band: &str| {
        format!(
            r#"{{"code":"eg-x","country":"EG","kind":"bread","versions":[{{"version":1,"effective_from":"2026-01",
            "loaves_per_person_per_day":5,"unused_loaf_value":10,
            "rules":[{{"code":"top_band","when":[{{"field":"income_band","is":"{band}"}}]}}]}}]}}"#
        )
    };
    let p = parse(serde_json::from_str(&rule("5000_plus")).unwrap()).unwrap();
    assert!(excluded_by(&p.versions[0].rules, &band("5000_plus")).is_some());
    assert!(excluded_by(&p.versions[0].rules, &band("2400_4999")).is_none());
    let e = parse(serde_json::from_str(&rule("rich")).unwrap()).unwrap_err();
    assert!(e.contains(&"income_band_unknown"), "{e:?}");
}
