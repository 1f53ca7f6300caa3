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
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    if !pre_ok(&headers, &f.csrf) {
        return Err(csrf_page(&s, tr));
    }
    match s
        .reg
        .staff_session_from(f.username.trim(), &f.password, &source)
        .await
    {
        Ok(n) => Ok(with_cookies(
            Redirect::to(&href(crate::pages::landing::landing(&n.actor), tr.lang)).into_response(),
            &[auth::session_cookie(&n.cookie)],
        )),
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
            Ok(with_retry_after(r, &e))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn sign_out(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    CsrfForm { signed, .. }: CsrfForm<TokenOnly>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    s.reg.sign_out(&signed).await?;
    let to = if signed.actor.is_citizen() {
        "/citizen/sign-in"
    } else {
        "/sign-in"
    };
    Ok(with_cookies(
        Redirect::to(&href(to, tr.lang)).into_response(),
        &[auth::clear_session_cookie()],
    ))
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
    Staff(signed, _): Staff<AnyStaff>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    Ok(password_page(&s, &signed, tr, None, false, StatusCode::OK))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn change_password(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<AnyStaff>,
    CsrfForm { form: f, .. }: CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    if f.new != f.confirm {
        return Ok(password_page(
            &s,
            &signed,
            tr,
            Some(tr.t("password_mismatch").into()),
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    match s.reg.change_password(&signed, &f.current, &f.new).await {
        Ok(()) => Ok(password_page(&s, &signed, tr, None, true, StatusCode::OK)),
        Err(e) => {
            let status = crate::errors::status(&e);
            if status.is_server_error() {
                return Err(e.into());
            }
            let msg = crate::errors::refusal(tr, &e);
            Ok(password_page(&s, &signed, tr, Some(msg), false, status))
        }
    }
}
