//! Staff sign-in and sign-out, and the password change.

use super::*;

// ---- staff sign-in -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    tr: Tr,
    csrf: String,
    username: String,
    error: Option<String>,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
}

fn sign_in_page(
    tr: Tr,
    csrf: String,
    username: String,
    error: Option<String>,
    status: StatusCode,
    set: Option<String>,
) -> Response {
    let p = SignInPage {
        tr,
        csrf,
        username,
        error,
        langs: switch(tr, |c| format!("/sign-in?lang={c}")),
        back_href: href("/", tr.lang),
        who: None,
    };
    with_cookies(
        page(p.render(), tr.lang, status),
        &set.into_iter().collect::<Vec<_>>(),
    )
}

pub async fn sign_in_form(headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    let tr = tr_of(&q, &headers);
    let (csrf, set) = pre_token(&headers);
    sign_in_page(tr, csrf, String::new(), None, StatusCode::OK, set)
}

#[derive(Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    csrf: String,
}

pub async fn sign_in(
    State(s): State<AppState>,
    auth::Source(source): auth::Source,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<SignInForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    if !pre_ok(&headers, &f.csrf) {
        return csrf_page(&s, None, tr);
    }
    match s
        .reg
        .staff_session_from(f.username.trim(), &f.password, &source)
        .await
    {
        Ok(n) => with_cookies(
            Redirect::to(&href(crate::pages::landing::landing(&n.actor), tr.lang)).into_response(),
            &[auth::session_cookie(&n.cookie)],
        ),
        Err(e @ (AppError::SignInRefused | AppError::TooManyAttempts(_))) => {
            let status = crate::errors::status(&e);
            let r = sign_in_page(
                tr,
                f.csrf,
                f.username,
                Some(crate::errors::text(tr, &e)),
                status,
                None,
            );
            with_retry_after(r, &e)
        }
        Err(e) => error_page(&s, None, tr, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub(super) csrf: String,
}

pub async fn sign_out(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match auth::session(&s, &headers).await {
        Ok(Some(x)) => x,
        Ok(None) => return Redirect::to(&href("/sign-in", tr.lang)).into_response(),
        Err(e) => return error_page(&s, None, tr, e),
    };
    if !same(&f.csrf, &signed.csrf) {
        return csrf_page(&s, Some(&signed), tr);
    }
    if let Err(e) = s.reg.sign_out(&signed).await {
        return error_page(&s, Some(&signed), tr, e);
    }
    let to = if signed.actor.is_citizen() {
        "/citizen/sign-in"
    } else {
        "/sign-in"
    };
    with_cookies(
        Redirect::to(&href(to, tr.lang)).into_response(),
        &[auth::clear_session_cookie()],
    )
}

/// Any signed-in staff member (for their own account's pages).
pub(super) async fn staff(s: &AppState, headers: &HeaderMap, tr: Tr) -> Result<SignedIn, Response> {
    match auth::session(s, headers).await {
        Ok(Some(x)) if !x.actor.is_citizen() => Ok(x),
        Ok(Some(x)) => Err(error_page(s, Some(&x), tr, AppError::Forbidden)),
        Ok(None) => Err(Redirect::to(&href("/sign-in", tr.lang)).into_response()),
        Err(e) => Err(error_page(s, None, tr, e)),
    }
}

// ---- password change -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    tr: Tr,
    csrf: String,
    error: Option<String>,
    done: bool,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
}

fn password_page(
    s: &AppState,
    signed: &SignedIn,
    tr: Tr,
    error: Option<String>,
    done: bool,
    status: StatusCode,
) -> Response {
    let p = PasswordPage {
        tr,
        csrf: signed.csrf.clone(),
        error,
        done,
        langs: switch(tr, |c| format!("/account/password?lang={c}")),
        back_href: href("/", tr.lang),
        who: Some(Who::of(s, signed, tr)),
    };
    page(p.render(), tr.lang, status)
}

pub async fn password_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = tr_of(&q, &headers);
    match staff(&s, &headers, tr).await {
        Ok(signed) => password_page(&s, &signed, tr, None, false, StatusCode::OK),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
    csrf: String,
}

pub async fn change_password(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match staff(&s, &headers, tr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !same(&f.csrf, &signed.csrf) {
        return csrf_page(&s, Some(&signed), tr);
    }
    if f.new != f.confirm {
        return password_page(
            &s,
            &signed,
            tr,
            Some(tr.t("password_mismatch").into()),
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match s.reg.change_password(&signed, &f.current, &f.new).await {
        Ok(()) => password_page(&s, &signed, tr, None, true, StatusCode::OK),
        Err(e) => {
            let status = crate::errors::status(&e);
            if status.is_server_error() {
                return error_page(&s, Some(&signed), tr, e);
            }
            let msg = crate::errors::refusal(tr, &e);
            password_page(&s, &signed, tr, Some(msg), false, status)
        }
    }
}
