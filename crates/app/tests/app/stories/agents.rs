//! Ration agents: saved again without duplicates, listed by district, a household's agent checked
//! against its district; and the counts and ping after them.

use super::*;

tamwin_store::backend_tests! {
    async fn agents_and_counts_on_every_backend((backend, store) in backends) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let agent = tamwin_domain::geography::RationAgent {
            code: "A11010001".into(),
            district_code: "1101".into(),
            name_ar: "وكيل علي".into(),
        };
        store
            .save_agents(std::slice::from_ref(&agent))
            .await
            .unwrap();
        // Saving again updates, never duplicates.
        store
            .save_agents(std::slice::from_ref(&agent))
            .await
            .unwrap();
        assert_eq!(
            store.agents_in_district("1101").await.unwrap(),
            vec![agent],
            "{backend}"
        );
        assert!(store.agents_in_district("1102").await.unwrap().is_empty());
        let mut h = household(vec![
            member("أحمد", "head", None, "1980-05-17"),
            member("علي", "son", None, "2010-05-17"),
        ]);
        h.agent_code = Some("A11010001".into());
        let v = create(&reg, &h).await;
        assert_eq!(v["agent_code"], "A11010001");
        h.agent_code = Some("A11020001".into());
        let e = reg.create_household(&h, &actor(), None).await.unwrap_err();
        assert!(
            matches!(e, AppError::Validation(ref v) if v.codes() == vec!["agent_unknown"]),
            "{backend}"
        );
        assert_eq!(store.count_households().await.unwrap(), 1);
        assert_eq!(store.count_members().await.unwrap(), 2);
        store.ping().await.unwrap();
    }
}
