//! What every HTML page shares: the reader's language, the site name, the language
//! switcher; and rendering with the right headers.
use askama::Template;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use coopnet_app::AppContext;

use crate::i18n::{Lang, Texts, negotiate};

/// A language switcher entry.
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// Page chrome: language, strings, site name, switcher.
pub struct Chrome {
    pub lang: &'static str,
    pub t: &'static Texts,
    pub site_name: String,
    pub langs: Vec<LangLink>,
    pub data_licence: String,
    pub data_licence_url: String,
    /// Remember the language chosen by `?lang=` in a cookie.
    remember: Option<Lang>,
}

impl Chrome {
    /// The console's strings in this page's language (footer links).
    pub fn console(&self) -> &'static crate::console::ConsoleTexts {
        crate::console::texts::texts(self.lang)
    }

    /// Fills `{page}`/`{pages}` in a string.
    pub fn page_of(&self, page: u64, pages: u64) -> String {
        self.t
            .page_of
            .replace("{page}", &page.to_string())
            .replace("{pages}", &pages.to_string())
    }
}

impl FromRequestParts<AppContext> for Chrome {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        let uri = OriginalUri::from_request_parts(parts, ctx)
            .await
            .map(|u| u.0)
            .unwrap_or_else(|_| parts.uri.clone());
        let query_lang = uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("lang="))
                .map(str::to_owned)
        });
        let (lang, chosen) = negotiate(query_lang.as_deref(), &parts.headers);
        let others: Vec<&str> = uri
            .query()
            .map(|q| {
                q.split('&')
                    .filter(|kv| !kv.starts_with("lang=") && !kv.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let langs = Lang::ALL
            .into_iter()
            .map(|l| {
                let mut query = others.clone();
                let pair = format!("lang={}", l.code());
                query.push(&pair);
                LangLink {
                    code: l.code(),
                    name: l.native_name(),
                    href: format!("{}?{}", uri.path(), query.join("&")),
                    current: l == lang,
                }
            })
            .collect();
        Ok(Self {
            lang: lang.code(),
            t: lang.texts(),
            site_name: ctx.network.name.clone(),
            langs,
            data_licence: ctx.settings.directory.data_licence.clone(),
            data_licence_url: ctx.settings.directory.data_licence_url.clone(),
            remember: chosen.then_some(lang),
        })
    }
}

/// Renders `template` with `status`, `Content-Language`, and the language cookie when the
/// reader just chose one.
pub fn page(chrome: &Chrome, status: StatusCode, template: &impl Template) -> Response {
    let mut response = match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response();
        }
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(chrome.lang) {
        headers.insert(header::CONTENT_LANGUAGE, v);
    }
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Language, Cookie"),
    );
    if let Some(lang) = chrome.remember
        && let Ok(v) = HeaderValue::from_str(&format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        ))
    {
        headers.insert(header::SET_COOKIE, v);
    }
    response
}
