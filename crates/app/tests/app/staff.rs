//! Staff accounts on both backends: adding, signing in, lock-out after twenty failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use tamwin_app::*;
use tamwin_domain::Geography;
use tamwin_domain::access::{Area, Role};

tamwin_store::backend_tests! {
    async fn sign_in_and_lock_out_on_every_backend((backend, store) in backends) {
        let clock = Arc::new(FixedClock(Mutex::new(
            "2026-11-21T09:00:00Z".parse().unwrap(),
        )));
        let reg = Registry::new(
            store.clone(),
            Arc::new(Geography::builtin().unwrap()),
            clock.clone(),
            Arc::new(RandomIds),
        );
        reg.prepare().await.unwrap();
        let admin = Actor::system("cli");
        let (acct, generated) = reg
            .add_staff(
                "officer.k1",
                "centre_officer",
                "KRB-C01",
                Some("correct horse battery"),
                &admin,
            )
            .await
            .unwrap();
        assert!(generated.is_none());
        assert_eq!(acct.role, Role::CentreOfficer);
        assert!(matches!(acct.area, Area::Centre { .. }));
        let (_, generated) = reg
            .add_staff("super.k", "governorate_supervisor", "11", None, &admin)
            .await
            .unwrap();
        let generated = generated.unwrap();
        assert_eq!(generated.len(), 16);
        assert_eq!(
            reg.sign_in("super.k", &generated).await.unwrap().area,
            Area::Governorate("11".into()),
            "{backend}"
        );
        // Bad input: nothing written.
        let e = reg
            .add_staff(
                "officer.k1",
                "auditor",
                "11",
                Some("another long password"),
                &admin,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "username_taken", "{backend}");
        let e = reg
            .add_staff("X", "king", "99", Some("short"), &admin)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Validation(ref v) if v.codes() == vec!["username_invalid", "role_unknown", "area_unknown", "password_weak"]),
            "{e:?}"
        );
        assert_eq!(store.staff_users().await.unwrap().len(), 2);

        assert_eq!(
            reg.sign_in("officer.k1", "correct horse battery")
                .await
                .unwrap()
                .username,
            "officer.k1"
        );
        // Unknown user and wrong password look the same.
        assert_eq!(
            reg.sign_in("nobody", "correct horse battery")
                .await
                .unwrap_err()
                .code(),
            "sign_in_refused"
        );
        // A stranger guessing from one address: five failures refuse that address for this name,
        // exactly as for a name that does not exist (same codes, hash run every time).
        let codes = |name: &'static str, addr: &'static str| {
            let reg = &reg;
            async move {
                let mut out = vec![];
                for _ in 0..5 {
                    out.push(
                        reg.sign_in_from(name, "wrong password!", addr)
                            .await
                            .unwrap_err()
                            .code(),
                    );
                }
                let right = reg.sign_in_from(name, "correct horse battery", addr).await;
                out.push(right.map_or_else(|e| e.code(), |_| "signed_in"));
                out
            }
        };
        let known = codes("officer.k1", "10.0.0.1").await;
        let unknown = codes("nobody.here", "10.0.0.2").await;
        assert_eq!(known, unknown, "{backend}");
        assert_eq!(
            known,
            [
                "sign_in_refused",
                "sign_in_refused",
                "sign_in_refused",
                "sign_in_refused",
                "sign_in_refused",
                "too_many_attempts"
            ],
            "{backend}"
        );
        let e = reg
            .sign_in_from("officer.k1", "correct horse battery", "10.0.0.1")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::TooManyAttempts(s) if (1..=900).contains(&s)),
            "{backend}: {e:?}"
        );
        // The officer, from the centre's address, is not locked out by the stranger.
        assert!(
            reg.sign_in_from("officer.k1", "correct horse battery", "10.1.1.1")
                .await
                .is_ok(),
            "{backend}"
        );
        // Guesses from many addresses (20 in all) refuse the account to new addresses, but not to
        // the one it signed in from.
        for addr in ["10.0.0.3", "10.0.0.4", "10.0.0.5"] {
            for _ in 0..5 {
                assert_eq!(
                    reg.sign_in_from("officer.k1", "wrong password!", addr)
                        .await
                        .unwrap_err()
                        .code(),
                    "sign_in_refused"
                );
            }
        }
        assert_eq!(
            reg.sign_in_from("officer.k1", "correct horse battery", "10.0.0.9")
                .await
                .unwrap_err()
                .code(),
            "too_many_attempts",
            "{backend}"
        );
        assert!(
            reg.sign_in_from("officer.k1", "correct horse battery", "10.1.1.1")
                .await
                .is_ok(),
            "{backend}: a known address still signs in"
        );
        let listed = reg.staff_list(&admin).await.unwrap();
        assert!(
            listed
                .iter()
                .any(|u| u.account.username == "officer.k1" && u.locked_until.is_some()),
            "{backend}: the administrator sees the account-wide refusal"
        );
        // Enough failures from one address, on as many names, refuse that address for everyone.
        for i in 0..tamwin_app::throttle::ADDRESS_FAILURES {
            let e = reg
                .sign_in_from(&format!("guess{i}"), "wrong password!", "10.9.9.9")
                .await
                .unwrap_err();
            assert_eq!(e.code(), "sign_in_refused", "{backend}: {i}");
        }
        assert_eq!(
            reg.sign_in_from("officer.k1", "correct horse battery", "10.9.9.9")
                .await
                .unwrap_err()
                .code(),
            "too_many_attempts",
            "{backend}"
        );
        // Fifteen minutes later the refusals have run out.
        *clock.0.lock().unwrap() = "2026-11-21T09:16:00Z".parse().unwrap();
        for addr in ["10.0.0.1", "10.0.0.9", "10.9.9.9"] {
            assert!(
                reg.sign_in_from("officer.k1", "correct horse battery", addr)
                    .await
                    .is_ok(),
                "{backend}: {addr}"
            );
        }
        // Account creation is in the audit log, and the log verifies.
        assert_eq!(
            tamwin_app::audit::verify(&reg, &|_| {})
                .await
                .unwrap()
                .unwrap()
                .entries,
            2,
            "{backend}"
        );
        assert!(
            !store
                .staff_user_by_username("officer.k1")
                .await
                .unwrap()
                .unwrap()
                .password_hash
                .contains("correct")
        );
    }
}
