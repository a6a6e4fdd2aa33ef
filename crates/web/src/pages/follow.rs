//! "Follow from your server": sends the visitor to their own instance's
//! `authorize_interaction` page (Mastodon's remote-follow endpoint), no JavaScript needed.
use axum::extract::Query;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// `?handle=slug@domain&instance=mastodon.example`
#[derive(Debug, Deserialize)]
pub struct FollowQuery {
    handle: String,
    instance: String,
}

/// A bare host name the visitor typed (`mastodon.social`, `https://x.example/`, `@me@x.example`).
fn instance_host(input: &str) -> Option<String> {
    let s = input
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let s = s
        .rsplit('@')
        .next()?
        .split('/')
        .next()?
        .trim()
        .to_ascii_lowercase();
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.contains('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':');
    ok.then_some(s)
}

/// `GET /follow`: 303 to `https://INSTANCE/authorize_interaction?uri=acct:HANDLE`.
pub async fn redirect(Query(q): Query<FollowQuery>) -> Response {
    let handle = q.handle.trim().trim_start_matches('@');
    let valid_handle = handle
        .split_once('@')
        .is_some_and(|(u, d)| !u.is_empty() && !d.is_empty())
        && !handle.contains(['/', '?', '#', ' ']);
    let Some(host) = instance_host(&q.instance).filter(|_| valid_handle) else {
        return (
            StatusCode::BAD_REQUEST,
            "Enter your server's address, e.g. mastodon.social",
        )
            .into_response();
    };
    let uri: String =
        url::form_urlencoded::byte_serialize(format!("acct:{handle}").as_bytes()).collect();
    let target = format!("https://{host}/authorize_interaction?uri={uri}");
    match HeaderValue::from_str(&target) {
        Ok(location) => {
            let mut r = StatusCode::SEE_OTHER.into_response();
            r.headers_mut().insert(header::LOCATION, location);
            r
        }
        Err(_) => (StatusCode::BAD_REQUEST, "invalid server address").into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instance_hosts_are_normalised() {
        assert_eq!(
            super::instance_host("https://Mastodon.Social/"),
            Some("mastodon.social".into())
        );
        assert_eq!(
            super::instance_host("@me@social.coop"),
            Some("social.coop".into())
        );
        assert_eq!(super::instance_host("javascript:alert(1)"), None);
        assert_eq!(super::instance_host("localhost"), None);
    }
}
