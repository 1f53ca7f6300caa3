//! Messages a redirect carries are codes (issue 13, point 8): a made-up text in `?error=` or
//! `?message=` is never shown on a page; a known code shows the catalog's text, numbers isolated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{call, household, nid};
use serde_json::Value;

/// "Call 07801234567 to collect your ration", as a link would carry it.
const MADE_UP: &str =
    "%D8%A7%D8%AA%D8%B5%D9%84%20%D8%A8%D8%A7%D9%84%D8%B1%D9%82%D9%85%2007801234567";

tamwin_store::backend_tests! {
    async fn no_text_from_the_link_is_shown_on_every_backend(
        (backend, app, reg) in common::app_on
    ) {
        // Staff pages, as the administrator.
        for path in [
            "/centre",
            "/screening",
            "/exemptions",
            "/exemptions?national_id=199000000016",
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let uri = format!("{path}{sep}error={MADE_UP}&message={MADE_UP}");
            let (s, b, _) = call(&app, "GET", &uri, None, &[]).await;
            assert_eq!(s.as_u16(), 200, "{backend} {path}: {b}");
            assert!(!b.contains("07801234567"), "{backend} {path} reflects: {b}");
        }
        // An unknown code: a generic refusal, not the code.
        let (_, b, _) = call(&app, "GET", "/centre?error=call_07801234567", None, &[]).await;
        assert!(!b.contains("07801234567"), "{backend}");
        assert!(b.contains("رُفض الطلب"), "{backend}: generic refusal");
        // A check-in with a mistyped card number: the redirect names codes, the page the catalog's
        // text with the example isolated left to right.
        let form = format!("scan=12&csrf={}", app.csrf);
        let (s, _, h) = call(
            &app,
            "POST",
            "/centre/check-in",
            Some(&form),
            &[
                ("cookie", app.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
        )
        .await;
        assert_eq!(s.as_u16(), 303, "{backend}");
        let to = h["location"].to_str().unwrap().to_string();
        assert!(
            to.ends_with("error=validation_failed%2Ccard_number_malformed"),
            "{backend}: {to}"
        );
        let (_, b, _) = call(&app, "GET", &to, None, &[]).await;
        assert!(
            b.contains(r#"(مثال <bdi dir="ltr" class="ltr">11-00012345-2</bdi>)"#),
            "{backend}: {b}"
        );
        // The citizen's appointment page.
        let phone = "07812345678";
        let mut h = household(&nid(19_000_000_020));
        h["phone"] = Value::from(phone);
        reg.create_household(
            &serde_json::from_value(h).unwrap(),
            &tamwin_app::Actor::system("t"),
            None,
        )
        .await
        .unwrap();
        reg.request_code(phone).await.unwrap();
        let code: String = reg
            .outbox(1)
            .await
            .unwrap()
            .remove(0)
            .body
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        let session = reg.verify_code(phone, &code).await.unwrap();
        let cookie = format!("tamwin_session={}", session.cookie);
        let uri =
            format!("/citizen/appointment?error={MADE_UP}&message={MADE_UP}&visit_day={MADE_UP}");
        let (s, b, _) = call(&app, "GET", &uri, None, &[("cookie", &cookie)]).await;
        assert_eq!(s.as_u16(), 200, "{backend}: {b}");
        assert!(
            !b.contains("07801234567"),
            "{backend}: the citizen's page reflects: {b}"
        );
        let (_, b, _) = call(
            &app,
            "GET",
            "/citizen/appointment?message=home_visit_booked&visit_day=2026-12-01",
            None,
            &[("cookie", &cookie)],
        )
        .await;
        assert!(
            b.contains(r#"حُدّدت الزيارة المنزلية يوم <bdi dir="ltr" class="ltr">2026-12-01</bdi>"#),
            "{backend}: {b}"
        );
    }
}
