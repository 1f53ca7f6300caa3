//! Quantities as people read them: grams and millilitres as kilograms and litres, loaves as loaves,
//! fils and piastres as dinars and pounds; item names from the catalogs.

use crate::i18n::Tr;

/// `12.5 kg`, `3 L`, `150 loaves`, `25,000 IQD`: the figure in `<span class="num">`, the unit's word
/// from the catalog.
pub fn quantity(tr: Tr, unit: &str, amount: i64) -> String {
    let (value, key) = match unit {
        "g" => (scaled(amount, 1000), "unit_kg"),
        "ml" => (scaled(amount, 1000), "unit_l"),
        "loaf" => (grouped(amount), "unit_loaf"),
        "fils" => (scaled(amount, 1000), "unit_iqd"),
        "piastre" => (scaled(amount, 100), "unit_egp"),
        _ => (grouped(amount), "unit_other"),
    };
    // A negative amount (an adjustment taking away) keeps its sign before the digits on a right-to-left page.
    let dir = if value.starts_with('-') {
        r#" dir="ltr""#
    } else {
        ""
    };
    format!(r#"<span class="num"{dir}>{value}</span> {}"#, tr.t(key))
}

/// What a collection took, as a line of words: `رز 1 كغم، سكر 0.5 كغم`, the list separator from the
/// catalog.
pub fn items_text(tr: Tr, taken: &[tamwin_app::redemption::ItemTaken]) -> String {
    taken
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                item(tr, &t.item),
                quantity(tr, &t.unit, t.quantity)
            )
        })
        .collect::<Vec<_>>()
        .join(tr.t("list_sep"))
}

/// The item's name in the page's language; the code itself for an item the catalogs lack.
pub fn item(tr: Tr, code: &str) -> String {
    tr.get(&format!("item_{code}"))
        .map_or_else(|| code.to_string(), str::to_string)
}

/// Thousands grouped with commas, as Iraqi forms print them.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `amount / per`, exact: the whole part grouped, the remainder as decimals without trailing zeros.
fn scaled(amount: i64, per: i64) -> String {
    if amount < 0 {
        // An adjustment that takes away: the sign is kept, whole part zero or not.
        return format!("-{}", scaled(amount.saturating_neg(), per));
    }
    let whole = grouped(amount / per);
    let rest = (amount % per).abs();
    if rest == 0 {
        return whole;
    }
    let width = per.to_string().len() - 1;
    let frac = format!("{rest:0width$}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_amounts_read_in_kilograms_litres_and_money() {
        assert_eq!(scaled(30_912_000, 1000), "30,912");
        assert_eq!(scaled(9_400, 1000), "9.4");
        assert_eq!(scaled(250, 1000), "0.25");
        assert_eq!(scaled(5_050, 100), "50.5");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(150), "150");
    }
}
