//! Every role lands on a page it may see (issue 13, point 16): sign in through the form, follow the
//! redirect, get 200; the analyst's landing shows the statistics, the outlet operator's says what the
//! account can do; a refusal links to the caller's landing page, never to itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{apps, call};
use tamwin_app::Actor;
use tamwin_domain::access::Role;

fn area_of(role: Role) -> &'static str {
    match role {
        Role::CentreOfficer => "KRB-C01",
        Role::MobileTeamOfficer | Role::OutletOperator => "1101",
        _ => "11",
    }
}

/// The `href` of the element with this id in a page.
fn href_of(page: &str, id: &str) -> Option<String> {
    let at = page.find(&format!("id=\"{id}\""))?;
    let tag_start = page[..at].rfind('<')?;
    let tag = &page[tag_start..tag_start + page[tag_start..].find('>')?];
    let h = tag.split("href=\"").nth(1)?;
    Some(h[..h.find('"')?].to_string())
}

#[tokio::test]
async fn every_role_lands_on_a_page_it_may_see_on_every_backend() {
    for (backend, app, reg) in apps().await {
        for role in Role::ALL {
            let user = format!("land.{}", role.code().replace('_', "-"));
            reg.add_staff(
                &user,
                role.code(),
                area_of(role),
                Some("landing password 1"),
                &Actor::system("test"),
            )
            .await
            .unwrap();
            let form = format!("username={user}&password=landing+password+1&csrf=pre1");
            let (s, _, h) = call(
                &app,
                "POST",
                "/sign-in",
                Some(&form),
                &[
                    ("cookie", "tamwin_pre=pre1"),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
            )
            .await;
            assert_eq!(s.as_u16(), 303, "{backend} {role:?}: signed in");
            let to = h["location"].to_str().unwrap().to_string();
            let session = h
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap())
                .find(|c| c.starts_with("tamwin_session="))
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string();
            let (s, page, _) = call(&app, "GET", &to, None, &[("cookie", &session)]).await;
            assert_eq!(s.as_u16(), 200, "{backend} {role:?} lands on {to}: {page}");
            match role {
                Role::Analyst => {
                    assert_eq!(to, "/stats", "{backend}");
                    assert!(page.contains("id=\"progress-figures\""), "{backend}");
                    assert!(page.contains("id=\"household-counts\""), "{backend}");
                }
                Role::OutletOperator => {
                    assert_eq!(to, "/account", "{backend}");
                    assert!(page.contains("id=\"account-nothing\""), "{backend}");
                    assert!(page.contains("id=\"account-sign-out\""), "{backend}");
                    assert_eq!(
                        href_of(&page, "account-password").as_deref(),
                        Some("/account/password?lang=ar"),
                        "{backend}"
                    );
                }
                _ => assert_eq!(to, "/", "{backend} {role:?}"),
            }
            // A page the role may not see: the refusal's link goes to the landing page, not to itself.
            for refused in ["/", "/screening", "/admin/users"] {
                let (s, page, _) = call(&app, "GET", refused, None, &[("cookie", &session)]).await;
                if s.as_u16() != 403 {
                    continue;
                }
                let back = href_of(&page, "back").unwrap();
                assert_eq!(back, to, "{backend} {role:?}: the refusal of {refused}");
                let (s, _, _) = call(&app, "GET", &back, None, &[("cookie", &session)]).await;
                assert_eq!(s.as_u16(), 200, "{backend} {role:?}: {back}");
            }
        }
    }
}
