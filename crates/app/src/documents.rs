//! Documents people hand in as evidence (an appeal's proof, an exemption's letter): one file, PDF or an
//! image, small enough to keep in the database beside what it proves.

use crate::{AppError, Result};

pub const DOCUMENT_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];
pub const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;

/// A document as received.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Document {
    /// A document sent as base64 in JSON (pages read the file in the browser and send it so); checked.
    pub fn from_base64(name: &str, content_type: &str, base64: &str) -> Result<Document> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(base64.trim())
            .map_err(|_| {
                AppError::Rule(
                    "document_required",
                    "المستند غير مقروء (base64)",
                    "the document is not readable (base64)",
                )
            })?;
        Document {
            name: name.to_string(),
            content_type: content_type.to_string(),
            bytes,
        }
        .checked()
    }

    /// Refuses an empty or oversized document, or one of another type. The name is cut to 200 letters.
    pub fn checked(self) -> Result<Document> {
        if self.bytes.is_empty() || self.bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(AppError::Rule(
                "document_required",
                "أرفق مستنداً واحداً (PDF أو صورة) لا يتجاوز 2 ميغابايت",
                "attach one document (PDF or image) of at most 2 MB",
            ));
        }
        if !DOCUMENT_TYPES.contains(&self.content_type.as_str()) {
            return Err(AppError::Rule(
                "document_type",
                "نوع المستند غير مقبول: PDF أو JPEG أو PNG",
                "document type not accepted: PDF, JPEG or PNG",
            ));
        }
        Ok(Document {
            name: self.name.trim().chars().take(200).collect(),
            ..self
        })
    }
}
