//! Base45 (RFC 9285): bytes as text in the 45 characters of the QR alphanumeric mode, so the QR code
//! can use that mode (5.5 bits per character) instead of byte mode (8 bits).

/// The alphabet, in value order (RFC 9285, section 4).
const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// The text of `bytes`: three characters for each two bytes, two for a last odd byte.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(2) * 3);
    let mut push = |mut n: usize, digits: usize| {
        for _ in 0..digits {
            out.push(char::from(ALPHABET[n % 45]));
            n /= 45;
        }
    };
    for pair in bytes.chunks(2) {
        match *pair {
            [a, b] => push(usize::from(a) * 256 + usize::from(b), 3),
            [a] => push(usize::from(a), 2),
            _ => {}
        }
    }
    out
}

/// The bytes of `text`; None for a character outside the alphabet, a dangling single character, or
/// a group whose value does not fit its bytes (RFC 9285, section 4.2: "GGW" is 65536).
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let values = text.bytes().map(value).collect::<Option<Vec<usize>>>()?;
    let mut out = Vec::with_capacity(values.len() / 3 * 2 + 1);
    for group in values.chunks(3) {
        match *group {
            [c, d, e] => {
                let n = c + d * 45 + e * 45 * 45;
                let hi = u8::try_from(n / 256).ok()?;
                out.push(hi);
                out.push(u8::try_from(n % 256).ok()?);
            }
            [c, d] => out.push(u8::try_from(c + d * 45).ok()?),
            _ => return None,
        }
    }
    Some(out)
}

fn value(c: u8) -> Option<usize> {
    ALPHABET.iter().position(|&a| a == c)
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 9285, sections 4.3 and 4.4.
    const RFC_VECTORS: &[(&str, &str)] = &[
        ("AB", "BB8"),
        ("Hello!!", "%69 VD92EX0"),
        ("base-45", "UJCLQE7W581"),
        ("ietf!", "QED8WEX0"),
    ];

    #[test]
    fn rfc_examples_encode() {
        for (plain, text) in RFC_VECTORS {
            assert_eq!(encode(plain.as_bytes()), *text, "{plain}");
        }
    }

    #[test]
    fn rfc_examples_decode() {
        for (plain, text) in RFC_VECTORS {
            assert_eq!(decode(text).as_deref(), Some(plain.as_bytes()), "{text}");
        }
    }

    #[test]
    fn empty_is_empty() {
        assert_eq!(encode(b""), "");
        assert_eq!(decode(""), Some(vec![]));
    }

    #[test]
    fn every_byte_pair_edge_round_trips() {
        let edges = [0u8, 1, 44, 45, 127, 128, 254, 255];
        for &a in &edges {
            assert_eq!(decode(&encode(&[a])), Some(vec![a]));
            for &b in &edges {
                assert_eq!(decode(&encode(&[a, b])), Some(vec![a, b]));
            }
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)), Some(all));
    }

    #[test]
    fn rejects_characters_outside_the_alphabet() {
        // Lower case is not in the alphabet (QR alphanumeric mode has none).
        assert_eq!(decode("bb8"), None);
        assert_eq!(decode("BB#"), None);
        assert_eq!(decode("BB8\n"), None);
        assert_eq!(decode("BBب"), None);
    }

    #[test]
    fn rejects_a_dangling_character() {
        assert_eq!(decode("B"), None);
        assert_eq!(decode("BB8B"), None);
    }

    #[test]
    fn rejects_groups_too_large_for_their_bytes() {
        // RFC 9285 section 6: "GGW" decodes to 65536, one more than two bytes hold.
        assert_eq!(decode("GGW"), None);
        // 65535 is the largest three-character group, ":::" the largest possible (91124).
        assert_eq!(decode("FGW"), Some(vec![255, 255]));
        assert_eq!(decode(":::"), None);
        // Two characters carry one byte: 255 is "U5", 256 "V5" is too large.
        assert_eq!(decode("U5"), Some(vec![255]));
        assert_eq!(decode("V5"), None);
        assert_eq!(decode("::"), None);
    }
}
