//! Paged console lists: page numbers from `?page=` and the previous/next links.
use super::ui::Ui;

/// The highest page number a console list accepts: keeps offsets far from overflow.
const MAX_PAGE: u64 = u32::MAX as u64;

/// A 1-based page number from `?page=`: anything missing, unreadable or below 1 is page 1.
pub fn page_number(raw: Option<&str>) -> u64 {
    raw.and_then(|p| p.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_PAGE)
}

/// The number of pages `total` items fill (at least one, so an empty list has page 1).
pub fn page_count(total: u64, page_size: u64) -> u64 {
    total.div_ceil(page_size.max(1)).clamp(1, MAX_PAGE)
}

/// Previous/next links of a paged list (in the public directory's words and look), and
/// the total.
pub struct Pager {
    /// E.g. "73 member co-ops in all".
    pub total: String,
    /// "Page 2 of 3": the navigation's label.
    pub label: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Links to `base?page=N` (page 1 is `base` itself); `page` is within `1..=pages`.
    pub fn new(ui: &Ui, base: &str, page: u64, pages: u64, total: String) -> Self {
        let href = |n: u64| {
            if n <= 1 {
                base.to_owned()
            } else {
                format!("{base}?page={n}")
            }
        };
        Self {
            total,
            label: ui.c.page_of(page, pages),
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
        }
    }
}

/// `?notice=&page=` of a paged console list (`page` read leniently by [`page_number`]).
#[derive(Debug, Default, serde::Deserialize)]
pub struct PagedQuery {
    pub notice: Option<String>,
    pub page: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_read_leniently_and_bounded() {
        assert_eq!(page_number(None), 1);
        assert_eq!(page_number(Some("2")), 2);
        assert_eq!(page_number(Some(" 3 ")), 3);
        assert_eq!(page_number(Some("0")), 1);
        assert_eq!(page_number(Some("-1")), 1);
        assert_eq!(page_number(Some("two")), 1);
        assert_eq!(page_number(Some("99999999999999999999")), 1);
        assert_eq!(page_number(Some("18446744073709551615")), MAX_PAGE);
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_count(7, 0), 7);
    }
}
