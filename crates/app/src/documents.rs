//! Documents people hand in as evidence (an appeal's proof, an exemption's letter): one file, PDF or an
//! image, small enough to keep in the database beside what it proves. The declared type is the
//! sender's word: the bytes must start with that type's signature, and the name is the sender's text,
//! so it is refused when it carries a path, a control character or a bidi override.

use crate::{AppError, Result};

pub const DOCUMENT_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];
pub const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;
/// The longest file name kept, in characters.
pub const MAX_DOCUMENT_NAME_CHARS: usize = 200;

/// A document as received.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The accepted type whose signature the bytes start with: PDF `%PDF-`, JPEG `FF D8 FF`, PNG's
/// eight-byte signature; `None` for anything else (text, HTML, a program).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&PNG) {
        Some("image/png")
    } else {
        None
    }
}

/// Format and bidi controls: invisible, and able to make `gpj.exe` look like `exe.jpg`.
fn is_format_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The file name to keep, trimmed: refused (`document_name_invalid`) when it names a path (`/`, `\`,
/// `.` or `..`) or holds a control character (CR, LF, NUL…) or a bidi control, and
/// (`document_name_too_long`) beyond 200 characters.
pub fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.chars().count() > MAX_DOCUMENT_NAME_CHARS {
        return Err(AppError::rule("document_name_too_long"));
    }
    if name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control() || is_format_control(c))
    {
        return Err(AppError::rule("document_name_invalid"));
    }
    Ok(name.to_string())
}

impl Document {
    /// A document sent as base64 in JSON (pages read the file in the browser and send it so); checked.
    pub fn from_base64(name: &str, content_type: &str, base64: &str) -> Result<Document> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(base64.trim())
            .map_err(|_| AppError::rule("document_required"))?;
        Document {
            name: name.to_string(),
            content_type: content_type.to_string(),
            bytes,
        }
        .checked()
    }

    /// Refuses an empty or oversized document, one of another type, one whose bytes are not what its
    /// type says (`document_content_unrecognised`, `document_type_mismatch`), or an unsafe name.
    pub fn checked(self) -> Result<Document> {
        if self.bytes.is_empty() || self.bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(AppError::rule("document_required"));
        }
        let declared = self.content_type.trim().to_ascii_lowercase();
        if !DOCUMENT_TYPES.contains(&declared.as_str()) {
            return Err(AppError::rule("document_type"));
        }
        match sniff(&self.bytes) {
            None => {
                return Err(AppError::rule("document_content_unrecognised"));
            }
            Some(t) if t != declared => {
                return Err(AppError::rule("document_type_mismatch"));
            }
            Some(_) => {}
        }
        Ok(Document {
            name: checked_name(&self.name)?,
            content_type: declared,
            bytes: self.bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<Document>) -> &'static str {
        match r {
            Err(e @ AppError::Rule(_)) => e.code(),
            other => panic!("{other:?}"),
        }
    }

    fn doc(name: &str, t: &str, bytes: &[u8]) -> Result<Document> {
        Document {
            name: name.into(),
            content_type: t.into(),
            bytes: bytes.to_vec(),
        }
        .checked()
    }

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    #[test]
    fn signatures_are_recognised() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(PNG), Some("image/png"));
        assert_eq!(sniff(b"hello, I am text"), None);
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"%PD"), None);
        assert_eq!(sniff(&PNG[..7]), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn the_content_must_be_what_the_type_says() {
        assert_eq!(
            code(doc("notes.pdf", "application/pdf", b"just some text")),
            "document_content_unrecognised"
        );
        assert_eq!(
            code(doc(
                "x.png",
                "image/png",
                b"<html><script>alert(1)</script>"
            )),
            "document_content_unrecognised"
        );
        assert_eq!(
            code(doc("x.png", "image/png", b"%PDF-1.4 a pdf")),
            "document_type_mismatch"
        );
        assert_eq!(
            code(doc("x.html", "text/html", b"%PDF-1.4")),
            "document_type"
        );
        let ok = doc("scan.png", "Image/PNG", PNG).unwrap();
        assert_eq!(ok.content_type, "image/png");
        assert!(doc("a.jpg", "image/jpeg", &[0xFF, 0xD8, 0xFF, 0xDB]).is_ok());
    }

    #[test]
    fn unsafe_names_are_refused_with_codes() {
        let pdf = b"%PDF-1.4";
        for bad in [
            "../../etc/passwd",
            "..",
            "a\\b.pdf",
            "letter.pdf\r\nX-Injected: 1",
            "a\u{0}.pdf",
            "invoice\u{202E}fdp.exe",
        ] {
            assert_eq!(
                code(doc(bad, "application/pdf", pdf)),
                "document_name_invalid",
                "{bad:?}"
            );
        }
        assert_eq!(
            code(doc(&"a".repeat(201), "application/pdf", pdf)),
            "document_name_too_long"
        );
        assert_eq!(
            doc("  رسالة الجامعة.pdf ", "application/pdf", pdf)
                .unwrap()
                .name,
            "رسالة الجامعة.pdf"
        );
        assert!(doc(&"ب".repeat(200), "application/pdf", pdf).is_ok());
    }
}
