//! Scope and reads: another governorate's household is not found, reads go to the audit log, and
//! the citizen's "who read my data" lists the staff's reads, not their own.

use super::*;

tamwin_store::backend_tests! {
    async fn scope_and_reads_on_every_backend((backend, store) in backends) {
        let (reg, _) = setup(store).await;
        let sys = Actor::system("t");
        let karbala = create(
            &reg,
            &household("11", "1101", 42_000_000_001, Some("07801234567")),
        )
        .await;
        let baghdad = create(&reg, &household("01", "0101", 42_000_000_002, None)).await;
        let (_, tok) = reg
            .create_token("b sup", "governorate_supervisor", "01", 30, &sys)
            .await
            .unwrap();
        let bsup = reg.token_actor(&tok).await.unwrap();
        let (_, tok) = reg
            .create_token("k centre", "centre_officer", "KRB-D01", 30, &sys)
            .await
            .unwrap();
        let kc02 = reg.token_actor(&tok).await.unwrap();
        let (_, tok) = reg
            .create_token("k sup", "governorate_supervisor", "11", 30, &sys)
            .await
            .unwrap();
        let ksup = reg.token_actor(&tok).await.unwrap();

        // Outside the area: not found, exactly like a card that does not exist.
        assert!(
            matches!(
                reg.household(&karbala, &bsup).await,
                Err(AppError::NotFound)
            ),
            "{backend}"
        );
        assert!(reg.household(&baghdad, &bsup).await.is_ok());
        let nid = tamwin_domain::NationalId::from_payload(42_000_000_001).unwrap();
        assert!(
            reg.household_by_national_id(&nid, &bsup)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            reg.search_by_name("كاظم", None, 50, &bsup)
                .await
                .unwrap()
                .iter()
                .all(|h| h.card_number == baghdad)
        );
        let all = ListFilter {
            limit: 50,
            ..Default::default()
        };
        let listed = reg.list(&all, &bsup).await.unwrap();
        assert_eq!(
            listed
                .iter()
                .map(|h| h.card_number.clone())
                .collect::<Vec<_>>(),
            vec![baghdad.clone()]
        );
        let asked = ListFilter {
            governorate: Some("11".into()),
            limit: 50,
            ..Default::default()
        };
        assert!(
            reg.list(&asked, &bsup).await.unwrap().is_empty(),
            "{backend}: a filter outside the area finds nothing"
        );
        let close: Closure = serde_json::from_value(serde_json::json!({"reason": "x"})).unwrap();
        assert!(matches!(
            reg.close_household(&karbala, &close, &bsup, None).await,
            Err(AppError::NotFound)
        ));
        // A centre is its district: KRB-D01 stands in 1102, the household in 1101.
        assert!(matches!(
            reg.household(&karbala, &kc02).await,
            Err(AppError::NotFound)
        ));
        assert!(
            matches!(
                reg.create_household(&household("11", "1101", 42_000_000_003, None), &kc02, None)
                    .await,
                Err(AppError::Forbidden)
            ),
            "{backend}: no registration outside the area"
        );
        let stats = reg.stats(&bsup).await.unwrap();
        assert!(stats.iter().all(|c| c.governorate == "01") && !stats.is_empty());

        // Reads are in the audit log, and the citizen sees them: institution, role, time.
        reg.household(&karbala, &ksup).await.unwrap();
        reg.search_by_name("كاظم", None, 50, &ksup).await.unwrap();
        reg.request_code("07801234567").await.unwrap();
        let code = last_code(&reg).await;
        let citizen = reg.verify_code("07801234567", &code).await.unwrap().actor;
        let uses = reg.data_uses(&citizen, None).await.unwrap();
        assert_eq!(uses.len(), 2, "{backend}: {uses:?}");
        assert!(uses.iter().all(|u| u.role == "governorate_supervisor"));
        assert!(uses.iter().any(|u| u.action == "household.read"));
        assert!(uses.iter().any(|u| u.action == "household.listed"));
        assert_eq!(uses[0].institution_en, "Ministry of Trade — Karbala");
        // The citizen reaches their own household only.
        assert!(reg.own_household(&citizen).await.is_ok());
        assert!(matches!(
            reg.household(&baghdad, &citizen).await,
            Err(AppError::NotFound)
        ));
        assert!(reg.household(&karbala, &citizen).await.is_ok());
        assert!(matches!(
            reg.stats(&citizen).await,
            Err(AppError::Forbidden)
        ));
        let audit = tamwin_app::audit::verify(&reg, &|_| {}).await.unwrap();
        assert!(
            audit.is_ok(),
            "{backend}: the log with the reads still verifies"
        );
    }
}

tamwin_store::backend_tests! {
    async fn who_read_my_data_lists_staff_reads_not_the_citizens_own((backend, store) in backends) {
        let (mut reg, _) = setup(store).await;
        reg.set_forms(Arc::new(
            appointments::FormKeys::single(
                "forms-1",
                ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
                0,
            )
            .unwrap(),
        ));
        let card = create(
            &reg,
            &household("11", "1101", 44_000_000_001, Some("07801112201")),
        )
        .await;
        let sys = Actor::system("t");
        let hid = reg
            .store()
            .household_by_card(&card)
            .await
            .unwrap()
            .unwrap()
            .household
            .household_id;
        let citizen = Actor::citizen(&hid, "07801112201", "web");
        let booked = reg
            .book_appointment(
                &hid,
                &serde_json::from_value(serde_json::json!({"starts_at": "2026-11-22T09:00"}))
                    .unwrap(),
                false,
                &citizen,
                None,
            )
            .await
            .unwrap();
        let booked: serde_json::Value = serde_json::from_str(&booked.body).unwrap();
        let centre = booked["centre_code"].as_str().unwrap().to_string();
        let district = reg.geo().centre(&centre).unwrap().district_code.clone();
        let officer = Actor::staff(
            "u-officer",
            "officer.k",
            tamwin_domain::access::Role::CentreOfficer,
            tamwin_domain::access::Area::Centre {
                code: centre.clone(),
                district,
            },
            "web",
        );
        let (_, tok) = reg
            .create_token("k sup", "governorate_supervisor", "11", 30, &sys)
            .await
            .unwrap();
        let ksup = reg.token_actor(&tok).await.unwrap();

        // The officer opens the visit; the supervisor opens the household and lists it five times.
        reg.visit(&booked["appointment_id"].as_str().unwrap().into(), &officer)
            .await
            .unwrap();
        reg.household(&card, &ksup).await.unwrap();
        let all = ListFilter {
            limit: 50,
            ..Default::default()
        };
        for _ in 0..3 {
            reg.list(&all, &ksup).await.unwrap();
        }
        for _ in 0..2 {
            reg.search_by_name("كاظم", None, 50, &ksup).await.unwrap();
        }
        // The citizen's own views are not "who read my data".
        for _ in 0..3 {
            reg.own_household(&citizen).await.unwrap();
        }
        // A read another use case writes the same way (a screening finding opened, say) shows too.
        let finding_read = tamwin_store::ChangeLog {
            change_id: uuid::Uuid::new_v4().to_string(),
            at: reg.clock().now(),
            actor: "auditor.k".into(),
            role: "auditor".into(),
            area: "11".into(),
            kind: "finding.read",
            member_id: None,
            reason: None,
            details: serde_json::json!({}),
            channel: "web",
        };
        reg.store()
            .record_reads(&[(hid.clone(), finding_read)])
            .await
            .unwrap();

        let uses = reg.data_uses(&citizen, None).await.unwrap();
        let seen: Vec<(String, String, i64)> = uses
            .iter()
            .map(|u| (u.action.clone(), u.role.clone(), u.count))
            .collect();
        assert!(
            uses.iter().all(|u| u.role != "citizen"),
            "{backend}: {seen:?}"
        );
        for want in [
            ("visit.read", "centre_officer", 1),
            ("household.read", "governorate_supervisor", 1),
            ("household.listed", "governorate_supervisor", 5),
            ("finding.read", "auditor", 1),
        ] {
            assert!(
                seen.contains(&(want.0.into(), want.1.into(), want.2)),
                "{backend}: {want:?} in {seen:?}"
            );
        }
        assert_eq!(uses.len(), 4, "{backend}: {seen:?}");
        let officer_row = uses.iter().find(|u| u.action == "visit.read").unwrap();
        assert_eq!(officer_row.role_en, "update-centre officer", "{backend}");
        assert!(
            officer_row
                .institution_en
                .starts_with("Ministry of Trade — ")
        );

        // Keyset pages: after the first row, the other three, none twice.
        let rest = reg
            .data_uses(&citizen, Some(&uses[0].cursor))
            .await
            .unwrap();
        assert_eq!(
            rest.iter().map(|u| u.cursor.clone()).collect::<Vec<_>>(),
            uses[1..]
                .iter()
                .map(|u| u.cursor.clone())
                .collect::<Vec<_>>(),
            "{backend}"
        );
    }
}
