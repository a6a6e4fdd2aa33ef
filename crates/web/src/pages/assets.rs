//! The stylesheet and the small enhancement script, embedded in the binary.
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// `GET /static/style.css`
pub async fn style() -> Response {
    asset(
        include_str!("../../static/style.css"),
        "text/css; charset=utf-8",
    )
}

/// `GET /static/app.js`
pub async fn script() -> Response {
    asset(
        include_str!("../../static/app.js"),
        "text/javascript; charset=utf-8",
    )
}
