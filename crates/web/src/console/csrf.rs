//! The console's CSRF defences: every POST must come from this site (`Origin`) and carry a
//! token in its hidden field `csrf`: the session's synchroniser token ([`Posted`]) or, on
//! anonymous forms, the double-submit cookie's ([`AnonForm`]).
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coopnet_app::AppContext;
use coopnet_app::accounts::{self, Session};
use serde::de::DeserializeOwned;

use super::cookies::{cookie, set_cookie};
use super::message::{csrf_refused, message};
use super::session::Auth;
use super::ui::Ui;

/// The double-submit cookie of anonymous forms.
pub const CSRF_COOKIE: &str = "coopnet_csrf";

/// False when the request names another site in `Origin` (browsers send it on every POST).
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// The double-submit token of an anonymous form: the cookie's when it has a sane one, else a
/// new one with the cookie to set.
pub fn anon_token(ctx: &AppContext, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookie(headers, CSRF_COOKIE) {
        Some(v) if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => (v, None),
        _ => {
            let token = accounts::random_token();
            let set = set_cookie(ctx, CSRF_COOKIE, &token, 60 * 60 * 24);
            (token, set)
        }
    }
}

/// `T` and every pair of a url-encoded form body, once the request is same-origin and its
/// `csrf` field equals `expected`; refused with 403 otherwise, and 400 when `T` is unreadable.
async fn checked_form<T: DeserializeOwned>(
    ctx: &AppContext,
    ui: &Ui,
    parts: Parts,
    body: Body,
    expected: &str,
) -> Result<(T, Vec<(String, String)>), Response> {
    if !same_origin(&parts.headers) {
        return Err(csrf_refused(ui));
    }
    let req = Request::from_parts(parts, body);
    let bytes = Bytes::from_request(req, ctx)
        .await
        .map_err(IntoResponse::into_response)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let presented = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    if !accounts::csrf_matches(expected, presented) {
        return Err(csrf_refused(ui));
    }
    let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
        message(
            ui,
            StatusCode::BAD_REQUEST,
            ui.t.invalid_title,
            &e.to_string(),
            Vec::new(),
        )
    })?;
    Ok((form, pairs))
}

/// A form posted by a signed-in account with the session's CSRF token; refused with 403
/// otherwise. `T` is read from the url-encoded body (unknown keys ignored).
pub struct Posted<T> {
    pub session: Session,
    pub form: T,
    /// Every pair of the body, for forms with dynamic fields.
    pub pairs: Vec<(String, String)>,
}

impl<T: DeserializeOwned> FromRequest<AppContext> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, ctx: &AppContext) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Ok(ui) = Ui::from_request_parts(&mut parts, ctx).await;
        let Auth(session) = Auth::from_request_parts(&mut parts, ctx).await?;
        let (form, pairs) = checked_form(ctx, &ui, parts, body, &session.csrf_token).await?;
        Ok(Self {
            session,
            form,
            pairs,
        })
    }
}

/// An anonymous form (login, invite, apply): its `csrf` field must equal the
/// `coopnet_csrf` cookie; refused with 403 otherwise.
pub struct AnonForm<T> {
    pub form: T,
    /// The token, for re-rendering the form.
    pub csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppContext> for AnonForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, ctx: &AppContext) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Ok(ui) = Ui::from_request_parts(&mut parts, ctx).await;
        let expected = cookie(&parts.headers, CSRF_COOKIE).unwrap_or_default();
        let (form, _) = checked_form(ctx, &ui, parts, body, &expected).await?;
        Ok(Self {
            form,
            csrf: expected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_match_host_when_sent() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("coops.example"));
        assert!(same_origin(&h), "no Origin: older browsers, curl");
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://coops.example"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
    }
}
