//! Reading and setting the console's cookies.
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use coopnet_app::AppContext;

/// The value of cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value with the console's attributes.
pub fn set_cookie(ctx: &AppContext, name: &str, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if ctx.settings.dev_mode {
        ""
    } else {
        "; Secure"
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// Adds a `Set-Cookie` header to `response`.
pub fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(v) = cookie {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=de; coopnet_session=abc; coopnet_csrf=x"),
        );
        assert_eq!(cookie(&h, "coopnet_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "coopnet_csrf").as_deref(), Some("x"));
        assert_eq!(cookie(&h, "nope"), None);
    }
}
