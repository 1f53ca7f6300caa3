//! The QR code of a text, as an inline SVG for the printed card (HTML with print CSS).

use crate::error::CardError;
use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write as _;

/// Level M restores about 15% of damaged modules: enough for a printed card kept in a wallet,
/// while keeping a typical card's code at a version a phone camera reads at card size.
const QR_EC_LEVEL: EcLevel = EcLevel::M;

/// Light modules around the code, as the QR standard asks (ISO/IEC 18004: four).
const QUIET_ZONE: usize = 4;

/// The QR code of `text` at level M; Base45 text is all alphanumeric, so the encoder picks
/// alphanumeric mode for it on its own.
pub(crate) fn qr_code(text: &str) -> Result<QrCode, CardError> {
    QrCode::with_error_correction_level(text.as_bytes(), QR_EC_LEVEL)
        .map_err(|_| CardError::TooLarge)
}

/// An `<svg>` element (no XML declaration, so it can sit inside HTML) drawing the QR code of `text`
/// in black on white with its quiet zone. It has a `viewBox` and no size of its own: the page's CSS
/// sets the printed size, and `crispEdges` keeps the modules sharp at any scale.
pub fn qr_svg(text: &str) -> Result<String, CardError> {
    let code = qr_code(text)?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    let mut path = String::new();
    // One rectangle per horizontal run of dark modules: a fraction of the size of one per module.
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                let _ = write!(
                    path,
                    "M{},{}h{}v1h-{}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE,
                    x - start,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges" role="img" aria-label="QR"><rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
    ))
}
