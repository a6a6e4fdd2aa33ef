//! `/console/coops/{slug}/posts`: a co-op's news posts, previewed, published and deleted.
use axum::extract::{Path, Query, State};
use axum::response::Response;
use coopnet_app::accounts::Session;
use coopnet_app::posts::{self, PostAuthor};
use coopnet_app::{AppContext, AppError};
use coopnet_federation::html::markdown_to_html;
use serde::Deserialize;

use super::editable;
use crate::console::auth::Empty;
use crate::console::{
    Auth, Cell, Field, FormState, FormView, Kind, Nav, NoticeQuery, PageView, Posted, Section,
    Table, Ui, date, error, forbidden, render, see_other,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostForm {
    content: String,
    action: String,
}

async fn posts_page(
    ctx: &AppContext,
    ui: &Ui,
    s: &Session,
    slug: &str,
    content: &str,
    preview: Option<String>,
    state: FormState,
) -> Response {
    let t = ui.t;
    let errs = &state.errs;
    let coop = match editable(ctx, ui, s, slug).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let list = match posts::list(ctx, &PostAuthor::Coop(slug.to_owned()), 50, 0).await {
        Ok((items, _)) => items,
        Err(e) => return error(ui, e),
    };
    let form = FormView::new(
        format!("/console/coops/{slug}/posts"),
        &s.csrf_token,
        t.publish,
        vec![
            Field::new("content", t.post_content, Kind::TextArea, content)
                .hint(t.post_hint)
                .err(errs),
        ],
    )
    .action_value("publish")
    .extra_button("preview", t.preview);
    let mut table = Table::new(vec![t.submitted, t.posts_title], t.no_posts);
    for p in &list {
        let text: String = p.record.content.chars().take(120).collect();
        table.row(
            vec![
                Cell::link(date(p.record.published_at), p.url.to_string()),
                Cell::text(text),
            ],
            vec![
                FormView::button(
                    format!("/console/coops/{slug}/posts/{}/delete", p.record.public_id),
                    &s.csrf_token,
                    t.delete,
                )
                .danger(),
            ],
        );
    }
    let mut view = PageView::new(
        ui,
        Some(Nav::new(s, "coop")),
        &format!("{}: {}", t.posts_title, coop.profile.name),
    )
    .notice(state.notice)
    .errors(errs);
    if let Some(html) = preview {
        let mut sec = Section::new("preview", t.preview_title);
        sec.html = Some(html);
        view = view.section(sec);
    }
    view = view
        .section(Section::new("write", t.post_content).form(form))
        .section(Section::new("posts", t.posts_title).table(table));
    render(ui, state.status, &view)
}

/// `GET /console/coops/{slug}/posts`
pub async fn posts_index(
    State(ctx): State<AppContext>,
    ui: Ui,
    Auth(s): Auth,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let state = FormState::fresh(ui.t, q.notice.as_deref());
    posts_page(&ctx, &ui, &s, &slug, "", None, state).await
}

/// `POST /console/coops/{slug}/posts`: `action=preview` shows the rendering,
/// `action=publish` publishes through [`posts::create`] (federated as Create).
pub async fn posts_create(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path(slug): Path<String>,
    posted: Posted<PostForm>,
) -> Response {
    let s = &posted.session;
    let Some(scope) = s.scope_for(&slug) else {
        return forbidden(&ui);
    };
    let f = &posted.form;
    if f.action == "preview" {
        let html = markdown_to_html(f.content.trim());
        return posts_page(
            &ctx,
            &ui,
            s,
            &slug,
            &f.content,
            Some(html),
            FormState::default(),
        )
        .await;
    }
    let state = match posts::create(&ctx, &scope, &PostAuthor::Coop(slug.clone()), &f.content).await
    {
        Ok(_) => return see_other(&format!("/console/coops/{slug}/posts?notice=published")),
        Err(AppError::Invalid(errors)) => FormState::invalid(errors),
        Err(e) => return error(&ui, e),
    };
    posts_page(&ctx, &ui, s, &slug, &f.content, None, state).await
}

/// `POST /console/coops/{slug}/posts/{id}/delete` (federated as Delete).
pub async fn posts_delete(
    State(ctx): State<AppContext>,
    ui: Ui,
    Path((slug, id)): Path<(String, String)>,
    posted: Posted<Empty>,
) -> Response {
    let Some(scope) = posted.session.scope_for(&slug) else {
        return forbidden(&ui);
    };
    // The post must belong to this co-op (an admin scope would reach any post).
    if let Err(e) = posts::get(&ctx, &PostAuthor::Coop(slug.clone()), &id).await {
        return error(&ui, e);
    }
    match posts::delete(&ctx, &scope, &id).await {
        Ok(()) => see_other(&format!("/console/coops/{slug}/posts?notice=deleted")),
        Err(e) => error(&ui, e),
    }
}
