//! The users' administration page.

use super::*;

// ---- users' administration -----------------------------------------------------------------------

pub struct UserRow {
    pub username: String,
    pub role: String,
    pub area: String,
    pub status: String,
    pub disabled: bool,
}

pub struct Choice {
    pub code: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct AdminUsersPage {
    tr: Tr,
    csrf: String,
    users: Vec<UserRow>,
    roles: Vec<Choice>,
    areas: Vec<Choice>,
    error: Option<String>,
    created: Option<(String, String)>,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
}

/// Areas an administrator may grant: their own and every area inside it (the dropdown is scoped too).
fn grantable_areas(s: &AppState, signed: &SignedIn, tr: Tr) -> Vec<Choice> {
    let geo = s.reg.geo();
    let mut all = vec![tamwin_domain::access::Area::Nation];
    for g in &geo.governorates {
        all.push(tamwin_domain::access::Area::Governorate(g.code.clone()));
        for d in geo
            .districts
            .iter()
            .filter(|d| d.governorate_code == g.code)
        {
            all.push(tamwin_domain::access::Area::District(d.code.clone()));
            for c in geo.centres.iter().filter(|c| c.district_code == d.code) {
                all.push(tamwin_domain::access::Area::Centre {
                    code: c.code.clone(),
                    district: d.code.clone(),
                });
            }
        }
    }
    all.into_iter()
        .filter(|a| signed.actor.area.covers(a, geo))
        .map(|a| Choice {
            code: a.code().to_string(),
            // The code beside the name where it is a number people use (`11`, `1101`, `KRB-C01`).
            label: match a {
                Area::Nation => area_label(s, &a, tr),
                _ => format!("{} ({})", area_label(s, &a, tr), a.code()),
            },
        })
        .collect()
}

async fn admin_page(
    s: &AppState,
    signed: &SignedIn,
    tr: Tr,
    error: Option<String>,
    created: Option<(String, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let users = s.reg.staff_list(&signed.actor).await?;
    let p = AdminUsersPage {
        tr,
        csrf: signed.csrf.clone(),
        users: users
            .into_iter()
            .map(|u| UserRow {
                status: if u.disabled {
                    tr.t("user_disabled").to_string()
                } else if u.locked_until.is_some() {
                    tr.t("user_locked").to_string()
                } else {
                    tr.t("user_active").to_string()
                },
                disabled: u.disabled,
                role: tr.role(u.account.role).to_string(),
                area: area_label(s, &u.account.area, tr),
                username: u.account.username,
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| Choice {
                code: r.code().into(),
                label: tr.role(*r).into(),
            })
            .collect(),
        areas: grantable_areas(s, signed, tr),
        error,
        created,
        langs: switch(tr, |c| format!("/admin/users?lang={c}")),
        back_href: href("/", tr.lang),
        who: Some(Who::of(s, signed, tr)),
    };
    Ok(page(p.render(), tr.lang, status))
}

pub async fn admin_users(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<ManageAccess>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    admin_page(&s, &signed, tr, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct AddUserForm {
    username: String,
    role: String,
    area: String,
}

pub async fn add_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<ManageAccess>,
    CsrfForm { form: f, .. }: CsrfForm<AddUserForm>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    match s
        .reg
        .add_staff(f.username.trim(), &f.role, &f.area, None, &signed.actor)
        .await
    {
        Ok((acc, Some(pw))) => {
            admin_page(
                &s,
                &signed,
                tr,
                None,
                Some((acc.username, pw)),
                StatusCode::CREATED,
            )
            .await
        }
        Ok((_, None)) => admin_page(&s, &signed, tr, None, None, StatusCode::CREATED).await,
        Err(e) => {
            let status = crate::errors::status(&e);
            if status.is_server_error() || status == StatusCode::FORBIDDEN {
                return Err(e.into());
            }
            let msg = crate::errors::refusal(tr, &e);
            admin_page(&s, &signed, tr, Some(msg), None, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    disabled: String,
}

pub async fn user_status(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(username): Path<String>,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<ManageAccess>,
    CsrfForm { form: f, .. }: CsrfForm<StatusForm>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    s.reg
        .set_staff_disabled(&username, f.disabled == "true", &signed.actor)
        .await?;
    Ok(Redirect::to(&href("/admin/users", tr.lang)).into_response())
}
