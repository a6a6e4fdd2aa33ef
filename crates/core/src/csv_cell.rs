//! The one rule for text cells of the CSV files we write and read: neutralising spreadsheet
//! formulas ("CSV injection").
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (tab and
//! carriage return are listed too, as some programs strip them first), and our exports carry
//! text typed by co-ops and by peer networks. As OWASP recommends
//! (<https://owasp.org/www-community/attacks/CSV_Injection>), such a cell is written with a
//! leading `'`, which spreadsheets take as "this is text". A cell that is just a decimal
//! number (`-0.1276`, a longitude) is no formula and stays as it is.
//!
//! The escape is reversible, so `coop export` → `coop import` gives back exactly what was
//! exported: a cell that already starts with `'` followed by a dangerous character or
//! another `'` gets one more `'`, and [`unescape`] removes exactly one `'` in those same
//! cases and in no other.
use std::borrow::Cow;

/// First characters that make a spreadsheet read a cell as a formula.
const DANGEROUS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True when `cell` is a plain decimal number: an optional sign, digits, and optionally a
/// point and more digits.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

/// True when the text after a leading `'` makes that `'` one that [`escape`] adds.
fn escaped_quote_follows(rest: &str) -> bool {
    rest.starts_with(DANGEROUS) || rest.starts_with('\'')
}

/// The cell as written to a CSV file: with a leading `'` when a spreadsheet would otherwise
/// run it as a formula, or when it starts with `'` followed by such a character or `'`.
///
/// ```
/// use coopnet_core::csv_cell::escape;
/// assert_eq!(escape("=HYPERLINK(\"http://x\",\"y\")"), "'=HYPERLINK(\"http://x\",\"y\")");
/// assert_eq!(escape("@SUM(1)"), "'@SUM(1)");
/// assert_eq!(escape("-0.1276"), "-0.1276");
/// assert_eq!(escape("'=x"), "''=x");
/// assert_eq!(escape("Co-op"), "Co-op");
/// ```
pub fn escape(cell: &str) -> Cow<'_, str> {
    let needs_quote = if let Some(rest) = cell.strip_prefix('\'') {
        escaped_quote_follows(rest)
    } else {
        cell.starts_with(DANGEROUS) && !is_plain_number(cell)
    };
    if needs_quote {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as read from a CSV file: [`escape`] undone (one leading `'` removed when a
/// dangerous character or another `'` follows it; anything else is kept as it is).
///
/// ```
/// use coopnet_core::csv_cell::unescape;
/// assert_eq!(unescape("'=SUM(1)"), "=SUM(1)");
/// assert_eq!(unescape("''=x"), "'=x");
/// assert_eq!(unescape("'tis"), "'tis");
/// ```
pub fn unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if escaped_quote_follows(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_a_quote_and_numbers_do_not() {
        for formula in [
            "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "-", "+", "-0.5e3", "-1.", "--1",
            "+.5",
        ] {
            assert_eq!(escape(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in [
            "", "Co-op", "-0.1276", "51.5", "+44", "12", "1999", "a=b", "'tis",
        ] {
            assert_eq!(escape(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn escape_then_unescape_gives_back_the_cell() {
        let cells = [
            "",
            "'",
            "''",
            "'''",
            "'=",
            "'=x",
            "''=x",
            "'-0.5",
            "'a",
            "=x",
            "'\t",
            "\t",
            "-3",
            "-3x",
            "@",
            "@@",
            "plain",
            "'tis",
            "é=",
            "'@SUM(1)",
            "''@SUM(1)",
        ];
        for cell in cells {
            assert_eq!(unescape(&escape(cell)), cell, "{cell:?}");
        }
    }

    #[test]
    fn an_escaped_cell_never_starts_with_a_dangerous_character() {
        for cell in ["=x", "+x", "-x", "@x", "\tx", "\rx", "'=x", "''", "-0.1"] {
            let out = escape(cell);
            assert!(
                !out.starts_with(DANGEROUS) || is_plain_number(&out),
                "{cell:?} -> {out:?}"
            );
        }
    }
}
