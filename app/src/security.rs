//! The pages' Content Security Policy, written once: scripts only from the
//! shop and by the response's own nonce (Leptos puts it on its hydration
//! scripts), the islands' wasm, styles, pictures, fonts and fetches from the
//! shop, no plugins, no `<base>`, forms posting only to the shop, and no
//! framing by anyone. The shell sets it on every page it renders, with the
//! nonce of that render; the server sets it, without a nonce (no script
//! runs), on any other HTML answer. Violations are reported to
//! [`REPORT_PATH`].

use http::{header::CONTENT_SECURITY_POLICY, HeaderValue};
use leptos::prelude::use_context;

/// Where browsers send violation reports (`report-uri`, and the
/// `csp` endpoint of `Reporting-Endpoints` for `report-to`).
pub const REPORT_PATH: &str = "/csp-report";

/// Origins a deployment adds to the shop's own for its files, pictures,
/// styles, scripts and fetches (a CDN): `CSP_EXTRA_ORIGINS`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentPolicy {
    /// Each with a space before it, ready to follow `'self'`.
    extra: String,
    /// Where forms may lead besides the shop (`form-action`): the sign-in
    /// providers, where linking one sends the browser from a form.
    form_targets: String,
}

impl ContentPolicy {
    /// `https://cdn.example.com, https://img.example.com:8443`: scheme,
    /// host and port only (no path, no wildcard, no quotes), separated by
    /// commas or spaces.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut extra = String::new();
        for origin in raw
            .split([',', ' '])
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .ok_or_else(|| format!("{origin:?}: an origin starts with https:// or http://"))?;
            let (host, port) = rest.split_once(':').unwrap_or((rest, ""));
            let host_ok = !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            let port_ok = port.is_empty() || port.parse::<u16>().is_ok();
            if !host_ok || !port_ok {
                return Err(format!(
                    "{origin:?}: an origin is a scheme, a host and a port, nothing more"
                ));
            }
            extra.push(' ');
            extra.push_str(origin);
        }
        Ok(Self {
            extra,
            form_targets: String::new(),
        })
    }

    /// Lets forms lead to the origins of these URLs (the sign-in
    /// providers' issuers): a form's redirect elsewhere is refused by the
    /// browser otherwise.
    pub fn with_form_targets<'a>(mut self, urls: impl IntoIterator<Item = &'a str>) -> Self {
        for url in urls {
            let Some((scheme, rest)) = url.split_once("://") else {
                continue;
            };
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let origin = format!("{scheme}://{host}");
            let valid = !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"[]:.-".contains(&b));
            if valid && !self.form_targets.split(' ').any(|o| o == origin) {
                self.form_targets.push(' ');
                self.form_targets.push_str(&origin);
            }
        }
        self
    }

    /// The policy of one answer: with the render's `nonce`, the shop's
    /// scripts run; without one, no script does.
    pub fn header(&self, nonce: Option<&str>) -> String {
        let scripts = match nonce {
            Some(nonce) => format!("'self'{} 'nonce-{nonce}' 'wasm-unsafe-eval'", self.extra),
            None => "'none'".to_string(),
        };
        self.with_scripts(&scripts)
    }

    /// The policy of a page kept for many visitors (the guests' page
    /// cache), which must carry no nonce: its inline scripts are allowed
    /// by their SHA-256 (`sha256-…` sources, base64 of the digest).
    pub fn header_for_hashes<'a>(&self, hashes: impl IntoIterator<Item = &'a str>) -> String {
        let mut scripts = format!("'self'{}", self.extra);
        for hash in hashes {
            scripts.push_str(&format!(" 'sha256-{hash}'"));
        }
        scripts.push_str(" 'wasm-unsafe-eval'");
        self.with_scripts(&scripts)
    }

    fn with_scripts(&self, scripts: &str) -> String {
        let own = format!("'self'{}", self.extra);
        // `cargo leptos watch` reloads the page through a websocket of its own.
        let connect = if std::env::var_os("LEPTOS_WATCH").is_some() {
            format!("{own} ws:")
        } else {
            own.clone()
        };
        format!(
            "default-src {own}; script-src {scripts}; style-src {own}; img-src {own}; \
             font-src {own}; connect-src {connect}; object-src 'none'; base-uri 'none'; \
             form-action 'self'{forms}; frame-ancestors 'none'; report-uri {REPORT_PATH}; \
             report-to csp",
            forms = self.form_targets,
        )
    }
}

/// Sets the page's policy with this render's nonce (the shell calls it).
pub fn set_page_policy() {
    let policy = use_context::<ContentPolicy>().unwrap_or_default();
    let nonce = leptos::nonce::use_nonce();
    let header = policy.header(nonce.as_deref());
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&header),
    ) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_may_lead_to_the_sign_in_providers_only() {
        let policy = ContentPolicy::default().with_form_targets([
            "https://kauth.kakao.com",
            "https://accounts.google.com/",
            "http://127.0.0.1:4000/some/path",
            "https://kauth.kakao.com/again",
            "not a url",
        ]);
        let header = policy.header(None);
        assert!(
            header.contains(
                "form-action 'self' https://kauth.kakao.com https://accounts.google.com \
                 http://127.0.0.1:4000;"
            ),
            "{header}"
        );
        assert!(header.contains("default-src 'self';"), "{header}");
    }

    #[test]
    fn the_policy_is_strict_and_takes_the_nonce() {
        let page = ContentPolicy::default().header(Some("abc123"));
        for part in [
            "default-src 'self';",
            "script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(page.contains(part), "{part} in {page}");
        }
        assert!(!page.contains("unsafe-inline"));
        let other = ContentPolicy::default().header(None);
        assert!(other.contains("script-src 'none';"), "{other}");
    }

    #[test]
    fn a_shared_page_allows_its_scripts_by_hash_and_has_no_nonce() {
        let page = ContentPolicy::default().header_for_hashes(["AAA=", "BBB="]);
        assert!(
            page.contains("script-src 'self' 'sha256-AAA=' 'sha256-BBB=' 'wasm-unsafe-eval';"),
            "{page}"
        );
        assert!(
            !page.contains("nonce") && !page.contains("unsafe-inline"),
            "{page}"
        );
    }

    #[test]
    fn extra_origins_are_origins_only() {
        let cdn =
            ContentPolicy::parse("https://cdn.example.com, http://img.example.com:8080").unwrap();
        let page = cdn.header(Some("n"));
        assert!(
            page.contains("img-src 'self' https://cdn.example.com http://img.example.com:8080;")
        );
        for bad in [
            "cdn.example.com",
            "https://cdn.example.com/path",
            "https://*.example.com",
            "https://x.com:99999",
            "'unsafe-inline'",
            "https://a.com;script-src",
        ] {
            assert!(ContentPolicy::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ContentPolicy::parse("").unwrap(), ContentPolicy::default());
    }
}
