//! Staff accounts on both backends: adding, signing in, lock-out after twenty failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use tamwin_app::*;
use tamwin_domain::Geography;
use tamwin_domain::access::{Area, Role};
use tamwin_store::testkit;

#[tokio::test]
async fn sign_in_and_lock_out_on_every_backend() {
    for (backend, store) in testkit::backends().await {
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
        assert_eq!(e.describe().1, "username_taken", "{backend}");
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
                .describe()
                .1,
            "sign_in_refused"
        );
        for i in 1..20 {
            let e = reg
                .sign_in("officer.k1", "wrong password!")
                .await
                .unwrap_err();
            assert_eq!(e.describe().1, "sign_in_refused", "{backend}: attempt {i}");
        }
        assert_eq!(
            reg.sign_in("officer.k1", "wrong password!")
                .await
                .unwrap_err()
                .describe()
                .1,
            "account_locked",
            "{backend}"
        );
        // Locked: even the right password is refused.
        assert_eq!(
            reg.sign_in("officer.k1", "correct horse battery")
                .await
                .unwrap_err()
                .describe()
                .1,
            "account_locked"
        );
        // Fifteen minutes later the lock has run out.
        *clock.0.lock().unwrap() = "2026-11-21T09:16:00Z".parse().unwrap();
        assert!(
            reg.sign_in("officer.k1", "correct horse battery")
                .await
                .is_ok(),
            "{backend}"
        );
        assert_eq!(
            store
                .staff_user_by_username("officer.k1")
                .await
                .unwrap()
                .unwrap()
                .failed_logins,
            0
        );
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
