//! The web console under `/console` (and the public `/apply` form): accounts and login, the
//! co-op editor, join applications and the admin pages. Server-rendered, usable without
//! JavaScript; every handler calls the same `coopnet-app` use cases as the API and the CLI.
//!
//! Security: a session cookie (`coopnet_session`: HttpOnly, SameSite=Lax, Secure outside dev
//! mode) names a stored session; every POST carries the session's synchroniser token in the
//! hidden field `csrf` ([`Posted`]); anonymous forms (login, invite, apply) use a
//! double-submit cookie instead ([`AnonForm`]). Both also refuse a cross-site `Origin`.
//!
//! Pages, by file: `auth` (login, invites, password, overview), `coops/` (the co-op editor),
//! `apply`, `admin/`. What they are built from: `ui` ([`Ui`]), `page` ([`PageView`],
//! [`Nav`]), `form`, `field` and `errs`, `table`, `paging`, `message` (403 and error pages), `notice`; requests
//! are read by `session` ([`Auth`]) and `csrf`; `cookies`; `texts` (the strings).
pub mod admin;
pub mod apply;
pub mod auth;
pub mod coops;
pub mod texts;

mod cookies;
mod csrf;
mod errs;
mod field;
mod form;
mod message;
mod notice;
mod page;
mod paging;
mod session;
mod table;
mod ui;

pub use cookies::{cookie, set_cookie, with_cookie};
pub use csrf::{AnonForm, Posted, anon_token, same_origin};
pub use errs::Errs;
pub use field::{Field, Kind};
pub use form::{FormState, FormView};
pub use message::{csrf_refused, error, forbidden, message};
pub use notice::{NoticeQuery, notice};
pub use page::{Nav, PageView, Section, render, see_other};
pub use paging::{PagedQuery, Pager, page_count, page_number};
pub use session::Auth;
pub use table::{Cell, Table, date};
pub use texts::ConsoleTexts;
pub use ui::Ui;
