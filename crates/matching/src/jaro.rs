//! Jaro–Winkler similarity over characters (not bytes: Arabic letters are two bytes in UTF-8).

/// Names longer than this (in letters) are compared on the heap; shorter ones on the stack, since the
/// screening compares hundreds of millions of pairs.
const STACK: usize = 48;

/// Jaro–Winkler similarity in [0, 1]: 1 for equal strings, with the usual prefix bonus (0.1 per common
/// leading character, at most four).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (mut sa, mut sb) = (['\0'; STACK], ['\0'; STACK]);
    let (mut ha, mut hb) = (Vec::new(), Vec::new());
    let a = letters(a, &mut sa, &mut ha);
    let b = letters(b, &mut sb, &mut hb);
    let j = jaro(a, b);
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    j + prefix as f64 * 0.1 * (1.0 - j)
}

fn letters<'a>(s: &str, stack: &'a mut [char; STACK], heap: &'a mut Vec<char>) -> &'a [char] {
    let mut n = 0;
    for c in s.chars() {
        if n == STACK {
            heap.extend(s.chars());
            return heap;
        }
        stack[n] = c;
        n += 1;
    }
    &stack[..n]
}

fn jaro(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    // Bit sets of matched positions: names fit in 128 letters; longer ones are cut there.
    let (a, b) = (&a[..a.len().min(128)], &b[..b.len().min(128)]);
    let (mut a_used, mut b_used) = (0u128, 0u128);
    let mut m = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if b_used & (1 << j) == 0 && b[j] == *ca {
                b_used |= 1 << j;
                a_used |= 1 << i;
                m += 1;
                break;
            }
        }
    }
    if m == 0 {
        return 0.0;
    }
    let a_matched = (0..a.len())
        .filter(|i| a_used & (1 << i) != 0)
        .map(|i| a[i]);
    let b_matched = (0..b.len())
        .filter(|j| b_used & (1 << j) != 0)
        .map(|j| b[j]);
    let transpositions = a_matched.zip(b_matched).filter(|(x, y)| x != y).count() / 2;
    let m = m as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64) / m) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((jaro_winkler("MARTHA", "MARHTA") - 0.961).abs() < 0.001);
        assert!((jaro_winkler("DIXON", "DICKSONX") - 0.813).abs() < 0.001);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("abc", ""), 0.0);
        assert_eq!(jaro_winkler("حسين", "حسين"), 1.0);
        // Letters, not bytes: one Arabic letter swapped is a small difference.
        let s = jaro_winkler("حسين", "حسن");
        assert!(s > 0.9 && s < 1.0, "{s}");
    }
}
