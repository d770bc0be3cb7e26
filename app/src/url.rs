//! Building URLs for links.

/// Percent-encodes a query value (UTF-8 bytes outside the unreserved set).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The login page, coming back to `next` afterwards.
pub fn login_href(next: &str) -> String {
    format!("/login?next={}", encode(next))
}

/// Whether `path` is one of `prefixes` or below one (`/admin`,
/// `/admin/orders`; not `/administrator`).
pub fn is_under(path: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Where to go after logging in: only a path on this site, never elsewhere.
/// Browsers drop tabs and line breaks from a URL and read `\\` as `/`, so a
/// path with any of them (or any space or control character) could turn
/// into `//elsewhere`: refused, like `//` itself.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_under_a_prefix_at_a_segment_only() {
        assert!(is_under("/admin", &["/admin"]));
        assert!(is_under("/admin/orders", &["/api", "/admin"]));
        assert!(!is_under("/administrator", &["/admin"]));
        assert!(!is_under("/", &["/admin"]));
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("a&b=c"), "a%26b%3Dc");
        assert_eq!(encode("신발"), "%EC%8B%A0%EB%B0%9C");
        assert_eq!(login_href("/account?x=1"), "/login?next=%2Faccount%3Fx%3D1");
    }
}
