//! Login, logout, invites, password change and the console's overview page.
//!
//! Every password typed here is checked by `accounts::check_password` (through `login`,
//! `accept_invite_with_account` and `change_password`), and its failures are drawn by
//! [`login_failure`]'s rules alike everywhere: "wrong e-mail or password" for a wrong
//! password and an unknown address, "locked" for a locked login name, known or not.
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use coopnet_app::accounts::{self, AcceptInvite, LoginError, NewSession, SESSION_COOKIE};
use coopnet_app::{AppContext, AppError, coops};
use coopnet_core::{FieldErrors, Role};
use serde::Deserialize;

use super::{
    AnonForm, Auth, Cell, Errs, Field, FormView, Kind, Nav, NoticeQuery, PageView, Posted, Section,
    Table, Ui, anon_token, cookie, error, message, notice, render, see_other, set_cookie,
    with_cookie,
};

/// Only local console paths are followed after login (no open redirect).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with("/console") && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/console",
    }
}

fn signed_in(ctx: &AppContext, session: &NewSession, to: &str) -> Response {
    let max_age = (session.expires_at - chrono::Utc::now())
        .num_seconds()
        .max(0);
    with_cookie(
        see_other(to),
        set_cookie(ctx, SESSION_COOKIE, &session.cookie, max_age),
    )
}

fn signed_out(ctx: &AppContext) -> Response {
    with_cookie(
        see_other("/console/login"),
        set_cookie(ctx, SESSION_COOKIE, "", 0),
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
}

fn login_page(
    ui: &Ui,
    status: StatusCode,
    csrf: &str,
    email: &str,
    next: &str,
    alert: Option<&str>,
) -> Response {
    let t = ui.t;
    let form = FormView::new(
        "/console/login",
        csrf,
        t.login_button,
        vec![
            Field::new("email", t.email, Kind::Email, email).autocomplete("username"),
            Field::new("password", t.password, Kind::Password, "").autocomplete("current-password"),
        ],
    )
    .hidden("next", next);
    let mut view = PageView::new(ui, None, t.login_title)
        .intro(t.login_intro)
        .section(Section::new("", "").form(form));
    if let Some(a) = alert {
        view = view.alert(a);
    }
    render(ui, status, &view)
}

/// `GET /console/login`
pub async fn login_form(
    State(ctx): State<AppContext>,
    ui: Ui,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if let Some(value) = cookie(&headers, SESSION_COOKIE)
        && let Ok(Some(_)) = accounts::session(&ctx, &value).await
    {
        return see_other(safe_next(q.next.as_deref()));
    }
    let (csrf, set) = anon_token(&ctx, &headers);
    let next = safe_next(q.next.as_deref()).to_owned();
    with_cookie(login_page(&ui, StatusCode::OK, &csrf, "", &next, None), set)
}

/// `POST /console/login`
pub async fn login(State(ctx): State<AppContext>, ui: Ui, posted: AnonForm<LoginForm>) -> Response {
    let f = &posted.form;
    let next = safe_next(Some(&f.next)).to_owned();
    match accounts::login(&ctx, &f.email, &f.password).await {
        Ok(session) => signed_in(&ctx, &session, &next),
        Err(e) => match login_failure(&ui, e) {
            Ok((status, alert)) => {
                login_page(&ui, status, &posted.csrf, &f.email, &next, Some(alert))
            }
            Err(e) => error(&ui, e),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

/// `POST /console/logout`
pub async fn logout(State(ctx): State<AppContext>, ui: Ui, posted: Posted<Empty>) -> Response {
    match accounts::logout(&ctx, &posted.session).await {
        Ok(()) => signed_out(&ctx),
        Err(e) => error(&ui, e),
    }
}

/// `POST /console/logout-everywhere`
pub async fn logout_everywhere(
    State(ctx): State<AppContext>,
    ui: Ui,
    posted: Posted<Empty>,
) -> Response {
    match accounts::logout_everywhere(&ctx, &posted.session).await {
        Ok(_) => signed_out(&ctx),
        Err(e) => error(&ui, e),
    }
}

/// A new password (labelled `label`) and its confirmation.
fn new_password_fields(ui: &Ui, label: &str, errs: &Errs) -> [Field; 2] {
    let t = ui.t;
    [
        Field::new("password", label, Kind::NewPassword, "")
            .autocomplete("new-password")
            .hint(t.password_hint)
            .err(errs),
        Field::new(
            "password_confirm",
            t.password_confirm,
            Kind::NewPassword,
            "",
        )
        .autocomplete("new-password")
        .err(errs),
    ]
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    display_name: String,
    password: String,
    password_confirm: String,
}

/// How a failed password check is shown: the status and the alert of the login page, the
/// same for a wrong password and an unknown address, and for every locked login name; any
/// other failure comes back as the error it is.
fn login_failure(ui: &Ui, err: LoginError) -> Result<(StatusCode, &'static str), AppError> {
    match err {
        LoginError::BadCredentials => Ok((StatusCode::UNAUTHORIZED, ui.t.login_failed)),
        LoginError::Locked(_) => Ok((StatusCode::TOO_MANY_REQUESTS, ui.t.login_locked)),
        LoginError::App(e) => Err(e),
    }
}

/// What the invite page shows besides its forms.
#[derive(Default)]
struct InviteState<'a> {
    /// Errors of the new-account form.
    errs: Errs,
    /// A failed password check or lock.
    alert: Option<&'a str>,
}

/// The invite page: a form for a new account and one to accept with an existing account.
fn invite_page(
    ui: &Ui,
    status: StatusCode,
    csrf: &str,
    token: &str,
    invite: &coopnet_core::InviteRecord,
    form: &InviteForm,
    state: &InviteState,
) -> Response {
    let t = ui.t;
    let errs = &state.errs;
    let email_field = |errs: &Errs| match &invite.email {
        Some(e) => {
            Field::new("fixed_email", t.email, Kind::Email, e.clone()).autocomplete("username")
        }
        None => Field::new("email", t.email, Kind::Email, form.email.clone())
            .autocomplete("username")
            .required()
            .err(errs),
    };
    let mut fields = vec![
        email_field(errs),
        Field::new(
            "display_name",
            t.display_name,
            Kind::Text,
            form.display_name.clone(),
        )
        .autocomplete("name")
        .required()
        .err(errs),
    ];
    fields.extend(new_password_fields(ui, t.password, errs).map(Field::required));
    let existing = vec![
        email_field(&Errs::default()),
        Field::new("password", t.password, Kind::Password, "")
            .autocomplete("current-password")
            .required(),
    ];
    let intro = match (&invite.role, &invite.coop_slug) {
        (Role::Admin, _) => t.invite_intro_admin.to_owned(),
        (Role::Editor, Some(slug)) => format!("{} {slug}", t.invite_intro_editor),
        (Role::Editor, None) => t.invite_intro_editor.to_owned(),
    };
    let action = format!("/console/invite/{token}");
    let mut view = PageView::new(ui, None, t.invite_title)
        .intro(intro)
        .errors(errs)
        .section(
            Section::new("new-account", t.invite_new_title).form(FormView::new(
                action.clone(),
                csrf,
                t.invite_accept,
                fields,
            )),
        )
        .section(
            Section::new("existing-account", t.invite_existing_title)
                .intro(t.invite_existing)
                .form(
                    FormView::new(
                        format!("{action}/existing"),
                        csrf,
                        t.invite_accept_existing,
                        existing,
                    )
                    .prefixed("existing"),
                ),
        );
    if let Some(a) = state.alert {
        view = view.alert(a);
    }
    render(ui, status, &view)
}

fn invite_invalid(ui: &Ui, err: AppError) -> Response {
    match err {
        AppError::NotFound(_) | AppError::Gone(_) => message(
            ui,
            StatusCode::NOT_FOUND,
            ui.t.invite_title,
            ui.t.invite_invalid,
            Vec::new(),
        ),
        other => error(ui, other),
    }
}

/// `GET /console/invite/{token}`
pub async fn invite_form(
    State(ctx): State<AppContext>,
    ui: Ui,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let invite = match accounts::invite_by_token(&ctx, &token).await {
        Ok(i) => i,
        Err(e) => return invite_invalid(&ui, e),
    };
    let (csrf, set) = anon_token(&ctx, &headers);
    with_cookie(
        invite_page(
            &ui,
            StatusCode::OK,
            &csrf,
            &token,
            &invite,
            &InviteForm::default(),
            &InviteState::default(),
        ),
        set,
    )
}

/// `POST /console/invite/{token}`: a new account.
pub async fn invite_accept(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(token): Path<String>,
    posted: AnonForm<InviteForm>,
) -> Response {
    let f = &posted.form;
    let input = AcceptInvite {
        email: f.email.clone(),
        display_name: f.display_name.clone(),
        password: f.password.clone(),
        password_confirm: f.password_confirm.clone(),
    };
    match accounts::accept_invite(&ctx, &token, &input).await {
        Ok(session) => signed_in(&ctx, &session, "/console"),
        Err(e) => invite_refused(&ctx, &ui, &posted.csrf, &token, f, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExistingAccountForm {
    email: String,
    password: String,
}

/// `POST /console/invite/{token}/existing`: accepts with an existing account.
pub async fn invite_accept_existing(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(token): Path<String>,
    posted: AnonForm<ExistingAccountForm>,
) -> Response {
    let f = &posted.form;
    match accounts::accept_invite_with_account(&ctx, &token, &f.email, &f.password).await {
        Ok(session) => signed_in(&ctx, &session, "/console"),
        Err(e) => {
            let shown = InviteForm {
                email: f.email.clone(),
                ..InviteForm::default()
            };
            invite_refused(&ctx, &ui, &posted.csrf, &token, &shown, e).await
        }
    }
}

/// The invite page again after a refusal, or the "invalid invite" page when it is no longer
/// usable.
async fn invite_refused(
    ctx: &AppContext,
    ui: &Ui,
    csrf: &str,
    token: &str,
    f: &InviteForm,
    err: LoginError,
) -> Response {
    let (status, state) = match err {
        LoginError::App(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            InviteState {
                errs: Errs(errors),
                alert: None,
            },
        ),
        LoginError::App(AppError::Conflict(m)) => (
            StatusCode::CONFLICT,
            InviteState {
                errs: Errs(FieldErrors::single("email", m)),
                alert: None,
            },
        ),
        other => match login_failure(ui, other) {
            Ok((status, alert)) => (
                status,
                InviteState {
                    errs: Errs::default(),
                    alert: Some(alert),
                },
            ),
            Err(e) => return invite_invalid(ui, e),
        },
    };
    match accounts::invite_by_token(ctx, token).await {
        Ok(invite) => invite_page(ui, status, csrf, token, &invite, f, &state),
        Err(e) => invite_invalid(ui, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    password: String,
    password_confirm: String,
}

fn password_page(
    ui: &Ui,
    status: StatusCode,
    session: &accounts::Session,
    errs: &Errs,
    done: Option<&str>,
    alert: Option<&str>,
) -> Response {
    let t = ui.t;
    let mut fields = vec![
        Field::new("current_password", t.current_password, Kind::Password, "")
            .autocomplete("current-password")
            .err(errs),
    ];
    fields.extend(new_password_fields(ui, t.new_password, errs));
    let form = FormView::new(
        "/console/password",
        &session.csrf_token,
        t.password_change,
        fields,
    );
    let mut view = PageView::new(ui, Some(Nav::new(session, "password")), t.password_title)
        .notice(done)
        .errors(errs)
        .section(Section::new("", "").form(form));
    if let Some(a) = alert {
        view = view.alert(a);
    }
    render(ui, status, &view)
}

/// `GET /console/password`
pub async fn password_form(ui: Ui, Auth(s): Auth, Query(q): Query<NoticeQuery>) -> Response {
    password_page(
        &ui,
        StatusCode::OK,
        &s,
        &Errs::default(),
        notice(ui.t, q.notice.as_deref()),
        None,
    )
}

/// `POST /console/password`
pub async fn password(
    State(ctx): State<AppContext>,
    ui: Ui,
    posted: Posted<PasswordForm>,
) -> Response {
    let f = &posted.form;
    match accounts::change_password(
        &ctx,
        &posted.session,
        &f.current_password,
        &f.password,
        &f.password_confirm,
    )
    .await
    {
        Ok(()) => see_other("/console/password?notice=password"),
        Err(LoginError::App(AppError::Invalid(errors))) => password_page(
            &ui,
            StatusCode::UNPROCESSABLE_ENTITY,
            &posted.session,
            &Errs(errors),
            None,
            None,
        ),
        Err(other) => match login_failure(&ui, other) {
            Ok((status, alert)) => password_page(
                &ui,
                status,
                &posted.session,
                &Errs::default(),
                None,
                Some(alert),
            ),
            Err(e) => error(&ui, e),
        },
    }
}

/// `GET /console`: the co-ops this account edits, and the admin pages.
pub async fn dashboard(State(ctx): State<AppContext>, ui: Ui, Auth(s): Auth) -> Response {
    let t = ui.t;
    let slugs: Vec<(String, String)> = if s.is_admin() {
        match coops::all(&ctx).await {
            Ok(all) => all
                .into_iter()
                .map(|c| (c.slug.to_string(), c.profile.name))
                .collect(),
            Err(e) => return error(&ui, e),
        }
    } else {
        let mut out = Vec::new();
        for slug in &s.coops {
            match coops::get(&ctx, slug.as_str()).await {
                Ok(c) => out.push((c.slug.to_string(), c.profile.name)),
                Err(e) => return error(&ui, e),
            }
        }
        out
    };
    let mut table = Table::new(
        vec![
            t.field_name,
            t.edit_profile,
            t.news_posts,
            t.editors,
            t.view_public,
        ],
        t.no_coops,
    );
    for (slug, name) in &slugs {
        table.row(
            vec![
                Cell::text(name.clone()),
                Cell::link(t.edit_profile, format!("/console/coops/{slug}")),
                Cell::link(t.news_posts, format!("/console/coops/{slug}/posts")),
                Cell::link(t.editors, format!("/console/coops/{slug}/editors")),
                Cell::link(format!("/coops/{slug}"), format!("/coops/{slug}")),
            ],
            Vec::new(),
        );
    }
    let mut view = PageView::new(&ui, Some(Nav::new(&s, "dashboard")), t.dashboard_title)
        .section(Section::new("coops", t.your_coops).table(table));
    if s.is_admin() {
        view = view.section(Section::new("admin", t.admin_area).links(vec![
            ("/console/admin/members".into(), t.nav_members.into()),
            (
                "/console/admin/applications".into(),
                t.nav_applications.into(),
            ),
            ("/console/admin/federation".into(), t.nav_federation.into()),
            ("/console/admin/queue".into(), t.nav_queue.into()),
            ("/console/admin/tokens".into(), t.nav_tokens.into()),
            ("/console/admin/invites".into(), t.nav_invites.into()),
        ]));
    }
    render(&ui, StatusCode::OK, &view)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_console_paths_are_followed_after_login() {
        use super::safe_next;
        assert_eq!(safe_next(Some("/console/coops/a")), "/console/coops/a");
        assert_eq!(safe_next(Some("https://evil.example/")), "/console");
        assert_eq!(safe_next(Some("//evil.example/console")), "/console");
        assert_eq!(safe_next(Some("/console\\@evil")), "/console");
        assert_eq!(safe_next(None), "/console");
    }
}
