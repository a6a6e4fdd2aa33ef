//! One labelled form field ([`Field`]) and how it is drawn ([`Kind`]).
use super::errs::Errs;

/// How a form field is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Url,
    Number,
    Password,
    NewPassword,
    TextArea,
    Checkbox,
    Select,
    File,
}

/// One labelled form field with its value and error.
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: Kind,
    pub value: String,
    pub checked: bool,
    pub hint: Option<&'static str>,
    pub error: Option<String>,
    pub required: bool,
    pub lang: Option<String>,
    pub options: Vec<(String, String)>,
    pub autocomplete: &'static str,
    /// Keeps element ids unique when a page repeats a form (one per table row).
    pub id_prefix: String,
}

impl Field {
    pub fn new(name: &str, label: impl Into<String>, kind: Kind, value: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            label: label.into(),
            kind,
            value: value.into(),
            checked: false,
            hint: None,
            error: None,
            required: false,
            lang: None,
            options: Vec::new(),
            autocomplete: "off",
            id_prefix: String::new(),
        }
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn checked(mut self, checked: bool) -> Self {
        self.checked = checked;
        self
    }

    pub fn autocomplete(mut self, value: &'static str) -> Self {
        self.autocomplete = value;
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }

    /// Takes this field's error (by its name) from `errs`.
    pub fn err(mut self, errs: &Errs) -> Self {
        self.error = errs.of(&self.name);
        self
    }

    /// The element id.
    pub fn id(&self) -> String {
        format!(
            "f-{}{}",
            self.id_prefix,
            self.name.replace(['.', '[', ']'], "-")
        )
    }

    pub fn is(&self, kind: &str) -> bool {
        let k = match self.kind {
            Kind::Text => "text",
            Kind::Email => "email",
            Kind::Url => "url",
            Kind::Number => "number",
            Kind::Password => "password",
            Kind::NewPassword => "new-password",
            Kind::TextArea => "textarea",
            Kind::Checkbox => "checkbox",
            Kind::Select => "select",
            Kind::File => "file",
        };
        k == kind
    }

    /// The `type` of an `<input>`.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Email => "email",
            Kind::Url => "url",
            Kind::Number => "number",
            Kind::Password | Kind::NewPassword => "password",
            _ => "text",
        }
    }

    /// `aria-describedby`: the hint and the error, when present.
    pub fn described(&self) -> String {
        let id = self.id();
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{id}-hint"));
        }
        if self.error.is_some() {
            ids.push(format!("{id}-error"));
        }
        ids.join(" ")
    }

    /// Rows of a text area.
    pub fn rows(&self) -> usize {
        (self.value.lines().count() + 2).clamp(3, 20)
    }

    /// Marks the text's language (summaries).
    pub fn lang(mut self, lang: &str) -> Self {
        self.lang = Some(lang.to_owned());
        self
    }
}
