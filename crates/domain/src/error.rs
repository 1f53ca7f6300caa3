//! Validation errors with a stable machine code and the values its message names. The words shown to
//! people come from the catalogs of `web` (`err_<code>`); the English sentence kept here is for logs,
//! reject files and the command line.

use serde::Serialize;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Path of the field, e.g. `members[2].national_id`.
    pub field: String,
    /// Stable machine code, e.g. `national_id_invalid`.
    pub code: &'static str,
    /// For logs, reject files and the command line; pages and the API speak the catalogs' words.
    pub message_en: String,
    /// The values the catalog's text names (`{max}`), by name.
    #[serde(skip)]
    pub params: Vec<(&'static str, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, en: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message_en: en.into(),
            params: vec![],
        }
    }

    /// The same error naming a value its message shows.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.push((name, value.to_string()));
        self
    }

    /// The same error reported under a parent path (`members[1]` + `national_id`).
    pub fn under(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_string()
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

/// Every problem found in one input; validation collects them all before any write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(v)` when nothing was collected.
    pub fn into_result<T>(self, v: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() { Ok(v) } else { Err(self) }
    }
    /// Codes of the collected errors, for tests and reject files.
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(|e| e.code).collect()
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {} ({})", e.field, e.message_en, e.code))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

/// Free text (addresses, reasons, evidence) may hold any letters and punctuation but no control
/// characters: PostgreSQL refuses NUL, and the two backends must accept the same input.
pub fn check_free_text(field: &str, value: &str, max_chars: usize) -> Option<FieldError> {
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Some(FieldError::new(
            field,
            "text_invalid_characters",
            "the text contains control characters",
        ));
    }
    // A char is at least one byte: only a long text needs counting.
    if value.len() > max_chars && value.chars().count() > max_chars {
        return Some(
            FieldError::new(
                field,
                "text_too_long",
                format!("the text is longer than {max_chars} characters"),
            )
            .with("max", max_chars),
        );
    }
    None
}
