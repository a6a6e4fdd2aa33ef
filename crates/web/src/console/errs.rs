//! Field errors as console forms show them, keyed by form field name: shared by the form
//! and each of its fields.
use coopnet_core::FieldErrors;

/// Field errors as forms show them: keyed by form field name.
#[derive(Debug, Default)]
pub struct Errs(pub FieldErrors);

impl Errs {
    /// The messages for `field`, joined.
    pub fn of(&self, field: &str) -> Option<String> {
        self.0.get(field).map(|m| m.join("; "))
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
