//! The strings of a console request: the site's chrome (language, theme) and the console's
//! texts in that language, read once per request.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use coopnet_app::AppContext;

use super::{ConsoleTexts, texts};
use crate::ui::Chrome;

/// Chrome and console strings together, for every console page.
pub struct Ui {
    /// Site chrome.
    pub c: Chrome,
    /// Console strings.
    pub t: &'static ConsoleTexts,
}

impl FromRequestParts<AppContext> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        let c = Chrome::from_request_parts(parts, ctx).await?;
        let t = texts::texts(c.lang);
        Ok(Self { c, t })
    }
}
