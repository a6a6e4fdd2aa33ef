//! Tables of console pages: [`Table`] of [`Row`]s of [`Cell`]s, each row with its action forms.
use super::form::FormView;

/// A time as console tables show it.
pub fn date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// A table cell, maybe a link.
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: None,
        }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: Some(href.into()),
        }
    }
}

/// A table row with its action forms.
pub struct Row {
    pub cells: Vec<Cell>,
    pub forms: Vec<FormView>,
}

/// A table; `empty` is shown instead when it has no rows.
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Row>,
    pub empty: String,
    pub actions: bool,
}

impl Table {
    pub fn new(head: Vec<&str>, empty: &str) -> Self {
        Self {
            head: head.into_iter().map(str::to_owned).collect(),
            rows: Vec::new(),
            empty: empty.to_owned(),
            actions: false,
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>, forms: Vec<FormView>) {
        if !forms.is_empty() {
            self.actions = true;
        }
        self.rows.push(Row { cells, forms });
    }
}
