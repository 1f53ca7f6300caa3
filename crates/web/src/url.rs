//! The one URL encoder of the pages: a value put in a link's or a redirect's query (`?error=`, `?q=`,
//! a cursor). Everything but the unreserved characters of RFC 3986 is percent-encoded.

pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_survive_the_trip_through_a_query() {
        let v = "صفاء & co=1/2 ~x";
        let q = format!("v={}", super::encode(v));
        let back: Vec<(String, String)> =
            form_urlencoded::parse(q.as_bytes()).into_owned().collect();
        assert_eq!(back, vec![("v".to_string(), v.to_string())]);
        assert_eq!(super::encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(super::encode("a b+c"), "a%20b%2Bc");
    }
}
