//! The notices shown after a redirect (`?notice=KEY`).
use super::ConsoleTexts;

/// A notice shown after a redirect (`?notice=KEY`), from a fixed list.
pub fn notice(t: &'static ConsoleTexts, key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "saved" => t.saved,
        "logo_saved" => t.logo_saved,
        "logo_removed" => t.logo_removed,
        "published" => t.post_published,
        "deleted" => t.post_deleted,
        "password" => t.password_changed,
        "removed" => t.member_removed,
        "rejected" => t.rejected,
        "token_revoked" => t.token_revoked,
        "account_deleted" => t.account_deleted,
        "followed" => t.followed,
        "blocked" => t.blocked,
        "unblocked" => t.unblocked,
        "resynced" => t.resynced,
        "done" => t.done,
        "linked" => t.linked_notice,
        "unlinked" => t.unlinked_notice,
        _ => return None,
    })
}

/// `?notice=` of a console page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}
