//! The shop's languages: Korean (the default) and English.
//!
//! The translation catalog is `app/locales/{ko,en}/*.json`, one file per
//! part of the shop; `build.rs` turns it into the `i18n` module, whose keys
//! (and the values each message needs) are checked at compile time:
//! `td_string!(locale, errors.log_in_first)`. The `islands` part is the
//! only one the browser's code uses, so the wasm carries no other text.
//!
//! A request's language is resolved once, on the server, by the layer in
//! front of the app (`Locale::negotiate`: the `lang` cookie, then
//! `Accept-Language`, then Korean) and kept in the request's extensions;
//! [`Locale::current`] reads it wherever a page or a server function needs
//! it. In the browser, the page's `<html lang>` says it.

include!(concat!(env!("OUT_DIR"), "/i18n.rs"));

pub use i18n::{td, td_display, td_string, Locale};

/// The cookie the language switch sets; it outranks `Accept-Language`.
pub const COOKIE: &str = "lang";

impl Locale {
    /// The tag of the language: `ko` or `en` (as in `<html lang>`), as the
    /// generated catalog names it.
    pub fn tag(self) -> &'static str {
        <Self as leptos_i18n::Locale>::as_str(self)
    }

    /// The language named exactly by `tag` (`ko`, `en`), if the shop has it
    /// (the generated catalog's own parser).
    pub fn from_tag(tag: &str) -> Option<Self> {
        tag.parse().ok()
    }

    /// The language of a request: the `lang` cookie when it names a
    /// language of the shop, else the best of `Accept-Language`, else
    /// Korean. A cookie naming no language of ours is ignored.
    pub fn negotiate(cookie_header: Option<&str>, accept_language: Option<&str>) -> Self {
        cookie_header
            .and_then(lang_cookie)
            .and_then(Locale::from_tag)
            .or_else(|| accept_language.and_then(from_accept_language))
            .unwrap_or_default()
    }

    /// The language of the request being served (on the server), or of the
    /// page (in the browser); Korean when there is neither.
    pub fn current() -> Self {
        #[cfg(feature = "ssr")]
        {
            use leptos::prelude::{use_context, with_context};
            // The app provides it once per page; a server function reads
            // the request's (without copying the request's parts).
            use_context::<Locale>()
                .or_else(|| {
                    with_context::<http::request::Parts, _>(|parts| {
                        parts.extensions.get::<Locale>().copied()
                    })
                    .flatten()
                })
                .unwrap_or_default()
        }
        #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|html| html.get_attribute("lang"))
                .and_then(|tag| Locale::from_tag(&tag))
                .unwrap_or_default()
        }
        #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
        {
            Locale::default()
        }
    }
}

/// The value of the `lang` cookie in a `Cookie` header.
fn lang_cookie(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name.trim() == COOKIE).then(|| value.trim().trim_matches('"'))
    })
}

/// The shop's language that fits `Accept-Language` best (`ko-KR,ko;q=0.9,
/// en;q=0.8` is Korean, `en-US` English), if any does. Tags are tried in
/// the order of their weights; `q=0` means "not this one".
fn from_accept_language(header: &str) -> Option<Locale> {
    let mut tags: Vec<(&str, u16)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), weight)?;
            (weight > 0 && !tag.is_empty() && tag != "*").then_some((tag, weight))
        })
        .collect();
    // Stable: equal weights keep the order they were given in.
    tags.sort_by_key(|(_, weight)| std::cmp::Reverse(*weight));
    let tags: Vec<&str> = tags.into_iter().map(|(tag, _)| tag).collect();
    let found = <Locale as leptos_i18n::Locale>::find_matchs;
    tags.iter()
        .filter_map(|tag| {
            tag.parse::<leptos_i18n::reexports::icu::locid::LanguageIdentifier>()
                .ok()
        })
        .find_map(|id| found(id).into_iter().next())
}

/// A `q` value (`0.8`, `1`, `0.125`) in thousandths; `None` if malformed.
fn weight(q: &str) -> Option<u16> {
    let (whole, fraction) = q.trim().split_once('.').unwrap_or((q.trim(), ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let fraction: u16 = format!("{fraction:0<3}").parse().ok()?;
    let weight = whole + fraction;
    (weight <= 1000).then_some(weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_language_we_have() {
        let pick = |header| Locale::negotiate(None, Some(header));
        assert_eq!(pick("ko-KR,ko;q=0.9,en;q=0.8"), Locale::ko);
        assert_eq!(pick("en-US"), Locale::en);
        assert_eq!(pick("en-GB,en;q=0.9"), Locale::en);
        assert_eq!(pick("fr-FR,fr;q=0.9,en;q=0.5,ko;q=0.4"), Locale::en);
        assert_eq!(pick("ko;q=0.2,en;q=0.8"), Locale::en, "weights, not order");
        assert_eq!(pick("en;q=0,ko"), Locale::ko, "q=0 refuses a language");
        assert_eq!(pick("fr, de"), Locale::ko, "nothing we have: Korean");
        assert_eq!(pick("*"), Locale::ko);
        assert_eq!(pick(""), Locale::ko);
        assert_eq!(
            pick("en;q=banana, ko;q=0.1"),
            Locale::ko,
            "a bad weight drops its tag"
        );
        assert_eq!(pick("EN-us"), Locale::en, "tags are case-insensitive");
    }

    #[test]
    fn the_cookie_beats_the_header() {
        assert_eq!(
            Locale::negotiate(Some("lang=en"), Some("ko-KR,ko")),
            Locale::en
        );
        assert_eq!(
            Locale::negotiate(Some("a=1; lang=ko; b=2"), Some("en-US")),
            Locale::ko
        );
        assert_eq!(Locale::negotiate(Some("lang=en"), None), Locale::en);
    }

    #[test]
    fn a_bad_cookie_is_ignored() {
        assert_eq!(Locale::negotiate(Some("lang=xx"), None), Locale::ko);
        assert_eq!(Locale::negotiate(Some("lang="), None), Locale::ko);
        assert_eq!(Locale::negotiate(Some("lang=en-US"), None), Locale::ko);
        assert_eq!(
            Locale::negotiate(Some("lang=%00"), Some("en")),
            Locale::en,
            "then the header decides"
        );
        assert_eq!(Locale::negotiate(None, None), Locale::ko);
    }

    #[test]
    fn tags_name_the_languages_exactly() {
        for locale in [Locale::ko, Locale::en] {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
        assert_eq!((Locale::ko.tag(), Locale::en.tag()), ("ko", "en"));
        assert_eq!(Locale::from_tag(" en "), Some(Locale::en));
        for other in ["EN", "en-US", "kor", ""] {
            assert_eq!(Locale::from_tag(other), None, "{other}");
        }
    }

    #[test]
    fn weights_are_read_exactly() {
        assert_eq!(weight("1"), Some(1000));
        assert_eq!(weight("1.000"), Some(1000));
        assert_eq!(weight("0.8"), Some(800));
        assert_eq!(weight("0.125"), Some(125));
        assert_eq!(weight("0"), Some(0));
        assert_eq!(weight("1.5"), None);
        assert_eq!(weight("0.1234"), None);
        assert_eq!(weight("-1"), None);
    }

    /// Both languages have exactly the same keys, part by part (the build
    /// refuses a catalog that does not; this says which key is missing).
    #[test]
    fn both_languages_have_the_same_keys() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
        let keys = |lang: &str, part: &str| -> std::collections::BTreeSet<String> {
            let path = format!("{dir}/{lang}/{part}");
            let text = std::fs::read_to_string(&path).unwrap();
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            json.as_object().unwrap().keys().cloned().collect()
        };
        let parts: Vec<String> = std::fs::read_dir(format!("{dir}/ko"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(parts.len() >= 9, "{parts:?}");
        for part in &parts {
            let (ko, en) = (keys("ko", part), keys("en", part));
            assert!(!ko.is_empty(), "{part}");
            let only_ko: Vec<_> = ko.difference(&en).collect();
            let only_en: Vec<_> = en.difference(&ko).collect();
            assert!(
                only_ko.is_empty() && only_en.is_empty(),
                "{part}: only in ko {only_ko:?}, only in en {only_en:?}"
            );
        }
    }

    /// No words in a view outside the catalog: a string literal that is a
    /// view's text (right after a tag, or alone on its line) and holds a
    /// letter is a word someone forgot to put in `locales/`.
    #[test]
    fn views_take_their_words_from_the_catalog() {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files = vec![
            format!("{src}/components.rs"),
            format!("{src}/lib.rs"),
            format!("{src}/likes/button.rs"),
        ];
        // The pages, the operator's among them (pages/admin/).
        let mut dirs = vec![std::path::PathBuf::from(format!("{src}/pages"))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path.display().to_string());
                }
            }
        }
        assert!(
            files.iter().any(|f| f.contains("pages/admin/")),
            "{files:?}"
        );
        let mut found = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            // The file's own tests come last.
            let code_part = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default();
            for (n, line) in code_part.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") || code.starts_with("assert") {
                    continue;
                }
                for literal in view_text_literals(code) {
                    if literal.chars().any(char::is_alphabetic) {
                        found.push(format!("{file}:{}: {literal:?}", n + 1));
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "words outside the catalog:\n{}",
            found.join("\n")
        );
    }

    /// The string literals of a line of `view!` code that are text nodes:
    /// after `>` or starting the line, not an attribute's value (`=`), an
    /// argument, or a `format!`.
    fn view_text_literals(code: &str) -> Vec<&str> {
        let mut found = Vec::new();
        let bytes = code.as_bytes();
        let mut i = 0;
        while let Some(start) = code[i..].find('"').map(|p| p + i) {
            let Some(end) = code[start + 1..].find('"').map(|p| p + start + 1) else {
                break;
            };
            let before = code[..start].trim_end();
            let text_node = before.is_empty() || before.ends_with('>');
            let after = code[end + 1..].trim_start();
            let closes = after.is_empty() || after.starts_with('<') || after.starts_with('"');
            if text_node && closes && bytes.get(start.wrapping_sub(1)) != Some(&b'r') {
                found.push(&code[start + 1..end]);
            }
            i = end + 1;
        }
        found
    }
}
