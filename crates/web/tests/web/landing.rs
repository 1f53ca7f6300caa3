//! Every role lands on a page it may see (issue 13, point 16): sign in through the form, follow the
//! redirect, get 200; the analyst's landing shows the statistics, the outlet operator's is its outlet's
//! page; a refusal links to the caller's landing page, never to itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{ANON, call, household, nid};
use tamwin_app::Actor;
use tamwin_domain::access::Role;

fn area_of(role: Role) -> &'static str {
    match role {
        Role::CentreOfficer => "KRB-C01",
        Role::MobileTeamOfficer => "1101",
        Role::OutletOperator => "A1101-001",
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

tamwin_store::backend_tests! {
    async fn every_role_lands_on_a_page_it_may_see_on_every_backend(
        (backend, app, reg) in common::app_on
    ) {
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
                    // Its outlet's page: the scan form, the day's list and the stock.
                    assert_eq!(to, "/outlet", "{backend}");
                    assert!(page.contains("id=\"scan-form\""), "{backend}");
                    assert!(page.contains("id=\"day\""), "{backend}");
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

/// What a reader sees of a page: its text without markup, scripts, styles and the language switch.
fn visible(page: &str) -> String {
    let mut page = page.to_string();
    for (open, close) in [
        ("<script", "</script>"),
        ("<style", "</style>"),
        ("<span id=\"langs\"", "</span>"),
        // What is isolated left to right: identifiers (usernames), numbers, examples of a format.
        ("<bdi id=\"who-name\"", "</bdi>"),
        ("<bdi dir=\"ltr\"", "</bdi>"),
    ] {
        while let Some(i) = page.find(open) {
            let j = page[i..]
                .find(close)
                .map_or(page.len(), |j| i + j + close.len());
            page.replace_range(i..j, " ");
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in page.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
}

/// Latin words with no digit in them (identifiers, hashes and card numbers have digits), but for the
/// names of formats.
fn latin_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "_-.:+/@".contains(c)))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| {
            ![
                "QR", "PDF", "JPEG", "PNG", "API", "SMS", "JSON", "MB", "Tamwin",
            ]
            .contains(w)
        })
        // Staff usernames (`land.auditor`), names of the engine's rules (`given+father+date`).
        .filter(|w| !w.contains('.') && !w.contains('+'))
        .map(str::to_string)
        .collect()
}

tamwin_store::backend_tests! {
    async fn pages_speak_the_readers_language_on_every_backend(backend) {
        // The interface texts of a catalog, long enough not to be a name.
        let texts = |lang: &str| -> Vec<String> {
            std::fs::read_to_string(format!("{}/i18n/{lang}.txt", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .lines()
                .filter_map(|l| l.split_once(" = ").map(|(_, v)| v.trim().to_string()))
                .filter(|v| v.chars().count() >= 8 && !v.contains('<') && !v.contains('{'))
                .collect()
        };
        let (ar_texts, ckb_texts) = (texts("ar"), texts("ckb"));
        let (backend, app, _) = common::app_on(backend).await;
        // A head and a daughter with no national ID (held by a registry rule), and a hold the civil
        // registry's answer placed.
        let (s, b, _) = call(
            &app,
            "POST",
            "/api/v1/households",
            Some(&household(&nid(19_000_000_101)).to_string()),
            &[],
        )
        .await;
        assert_eq!(s.as_u16(), 201, "{backend}: {b}");
        let card = serde_json::from_str::<serde_json::Value>(&b).unwrap()["card_number"]
            .as_str()
            .unwrap()
            .to_string();
        let hold = serde_json::json!({"reason": "abroad", "source": "civil_registry",
            "evidence": "civil registry search: abroad since 2024-03-26 (hub request 7084e0cdf25a)"});
        let (s, b, _) = call(
            &app,
            "POST",
            &format!("/api/v1/households/{card}/holds"),
            Some(&hold.to_string()),
            &[],
        )
        .await;
        assert_eq!(s.as_u16(), 201, "{backend}: {b}");
        for path in [
            format!("/households/{card}"),
            "/".into(),
            "/account".into(),
            "/admin/users".into(),
        ] {
            for lang in ["ar", "ckb", "en"] {
                let uri = format!("{path}?lang={lang}");
                let (s, page, _) = call(&app, "GET", &uri, None, &[]).await;
                let what = format!("{backend} {uri}");
                assert_eq!(s.as_u16(), 200, "{what}");
                assert!(page.contains(&format!("<html lang=\"{lang}\"")), "{what}");
                let text = visible(&page);
                for raw in [
                    "registry_rule",
                    "civil_registry",
                    "no_national_id",
                    "female",
                    "(web)",
                ] {
                    assert!(
                        lang == "en" && raw == "female" || !text.contains(raw),
                        "{what}: {raw}"
                    );
                }
                let others: Vec<&String> = match lang {
                    "en" => ar_texts.iter().chain(&ckb_texts).collect(),
                    "ckb" => ar_texts.iter().collect(),
                    _ => vec![],
                };
                let shown: Vec<_> = others
                    .iter()
                    .filter(|t| text.contains(t.as_str()))
                    .collect();
                assert!(shown.is_empty(), "{what}: {shown:?}");
                if lang != "en" {
                    assert_eq!(latin_words(&text), Vec::<String>::new(), "{what}");
                }
            }
        }
        // A language asked for on a redirect is remembered over an older choice: Arabic names no
        // `?lang=` in the address it redirects to.
        let (s, _, h) = call(
            &app,
            "GET",
            "/citizen?lang=ar",
            None,
            &[ANON, ("cookie", "lang=en")],
        )
        .await;
        assert!(s.is_redirection(), "{backend}");
        assert!(
            h.get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap().starts_with("lang=ar;")),
            "{backend}: {h:?}"
        );
        for path in ["/sign-in", "/citizen/sign-in"] {
            for lang in ["ar", "ckb"] {
                let (_, page, _) =
                    call(&app, "GET", &format!("{path}?lang={lang}"), None, &[ANON]).await;
                assert_eq!(
                    latin_words(&visible(&page)),
                    Vec::<String>::new(),
                    "{backend} {path} {lang}"
                );
            }
        }
    }
}
