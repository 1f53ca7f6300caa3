//! Staff sessions and tokens: expiry, sign-out, disabled accounts, password change, revocation,
//! guesses; and a stored role or area the code does not know, named by table and column.

use super::*;

tamwin_store::backend_tests! {
    async fn sessions_and_tokens_on_every_backend((backend, store) in backends) {
        let (reg, clock) = setup(store).await;
        let sys = Actor::system("t");
        reg.add_staff(
            "k.sup",
            "governorate_supervisor",
            "11",
            Some("supervisor pass 1"),
            &sys,
        )
        .await
        .unwrap();
        let s = reg
            .staff_session("k.sup", "supervisor pass 1")
            .await
            .unwrap();
        assert_eq!(reg.session_of(&s.cookie).await.unwrap().actor.name, "k.sup");
        assert!(matches!(
            reg.session_of("forged").await,
            Err(AppError::Unauthenticated)
        ));

        // Idle for 31 minutes: ended.
        advance(&clock, 31);
        assert!(
            matches!(
                reg.session_of(&s.cookie).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}"
        );

        // Sign-out ends it at once.
        let s = reg
            .staff_session("k.sup", "supervisor pass 1")
            .await
            .unwrap();
        let signed = reg.session_of(&s.cookie).await.unwrap();
        reg.sign_out(&signed).await.unwrap();
        assert!(matches!(
            reg.session_of(&s.cookie).await,
            Err(AppError::Unauthenticated)
        ));

        // A password change ends the other sessions, keeps this one; the old password stops working.
        let a = reg
            .staff_session("k.sup", "supervisor pass 1")
            .await
            .unwrap();
        let b = reg
            .staff_session("k.sup", "supervisor pass 1")
            .await
            .unwrap();
        let signed_b = reg.session_of(&b.cookie).await.unwrap();
        assert!(matches!(
            reg.change_password(&signed_b, "wrong current one", "supervisor pass 2")
                .await,
            Err(AppError::SignInRefused)
        ));
        reg.change_password(&signed_b, "supervisor pass 1", "supervisor pass 2")
            .await
            .unwrap();
        assert!(
            matches!(
                reg.session_of(&a.cookie).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}"
        );
        assert!(reg.session_of(&b.cookie).await.is_ok());
        assert!(matches!(
            reg.staff_session("k.sup", "supervisor pass 1").await,
            Err(AppError::SignInRefused)
        ));

        // Disabling the account ends its sessions and refuses sign-in.
        reg.set_staff_disabled("k.sup", true, &sys).await.unwrap();
        assert!(
            matches!(
                reg.session_of(&b.cookie).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}"
        );
        assert!(matches!(
            reg.staff_session("k.sup", "supervisor pass 2").await,
            Err(AppError::SignInRefused)
        ));

        // Tokens: a guessed secret, a revoked token and an expired one are all refused.
        // An outlet operator's token names its outlet, and acts for it in its district.
        reg.import_outlets(crate::redemption::OUTLETS.as_bytes(), &sys).await.unwrap();
        let (t, secret) = reg
            .create_token("outlet 7", "outlet_operator", "A1101-001", 1, &sys)
            .await
            .unwrap();
        let outlet = reg.token_actor(&secret).await.unwrap();
        assert_eq!((outlet.area.code(), outlet.outlet.as_deref()), ("1101", Some("A1101-001")), "{backend}");
        let e = reg.create_token("outlet 8", "outlet_operator", "1101", 1, &sys).await.unwrap_err();
        assert!(matches!(e, AppError::Validation(v) if v.0[0].code == "outlet_unknown"), "{backend}");
        let guessed = format!("tmw_{}_{}", t.token_id, "0".repeat(64));
        assert!(matches!(
            reg.token_actor(&guessed).await,
            Err(AppError::Unauthenticated)
        ));
        assert!(matches!(
            reg.token_actor("tmw_x").await,
            Err(AppError::Unauthenticated)
        ));
        advance(&clock, 24 * 60 + 1);
        assert!(
            matches!(
                reg.token_actor(&secret).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}: expired"
        );
        let (t2, secret2) = reg
            .create_token("moh", "auditor", "nation", 30, &sys)
            .await
            .unwrap();
        reg.revoke_token(&t2.token_id, &sys).await.unwrap();
        assert!(
            matches!(
                reg.token_actor(&secret2).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}: revoked"
        );
        assert!(reg.revoke_token(&t2.token_id, &sys).await.is_err());

        // An administrator of Karbala cannot grant Baghdad, nor the nation.
        let (_, kadmin) = reg
            .create_token("k admin", "ministry_admin", "11", 30, &sys)
            .await
            .unwrap();
        let kadmin = reg.token_actor(&kadmin).await.unwrap();
        assert!(matches!(
            reg.create_token("b", "auditor", "01", 30, &kadmin).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            reg.add_staff("b.user", "auditor", "nation", None, &kadmin)
                .await,
            Err(AppError::Forbidden)
        ));
        assert!(
            reg.add_staff("k.user", "auditor", "1102", None, &kadmin)
                .await
                .is_ok()
        );
    }
}

tamwin_store::backend_tests! {
    /// A stored role or area the code does not know is an error naming its table and column, on sign-in,
    /// on a token and in the staff list; never a panic, a silent default or a skipped row.
    async fn an_unknown_stored_role_or_area_is_named_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, _clock) = setup(store.clone()).await;
        let sys = Actor::system("t");
        reg.add_staff("k.aud", "auditor", "11", Some("auditor pass 1"), &sys)
            .await
            .unwrap();
        let (_, bearer) = reg
            .create_token("feed", "analyst", "11", 30, &sys)
            .await
            .unwrap();
        store
            .execute_unchecked("UPDATE staff_users SET role = 'overlord' WHERE username = 'k.aud'")
            .await
            .unwrap();
        let e = reg
            .staff_session("k.aud", "auditor pass 1")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("staff_users.role"), "{backend}: {e}");
        store
            .execute_unchecked(
                "UPDATE staff_users SET role = 'auditor', area = '99' WHERE username = 'k.aud'",
            )
            .await
            .unwrap();
        let e = reg.staff_list(&sys).await.unwrap_err();
        assert!(e.to_string().contains("staff_users.area"), "{backend}: {e}");
        store
            .execute_unchecked("UPDATE api_tokens SET role = 'overlord'")
            .await
            .unwrap();
        let e = reg.token_actor(&bearer).await.unwrap_err();
        assert!(e.to_string().contains("api_tokens.role"), "{backend}: {e}");
    }
}
