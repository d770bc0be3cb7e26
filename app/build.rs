//! Generates the translation catalog's code (`$OUT_DIR/i18n.rs`) from
//! `locales/{ko,en}/*.json`: a `Locale` enum and one accessor per key, so a
//! key missing from the code's point of view is a compile error.
//!
//! This is what `leptos_i18n_build` does, with its own parser and code
//! generator; that crate also carries ICU's data exporter (the full ICU
//! source provider, rustls and ring: about 200 crates compiled for every
//! build) for number and date formatters this shop does not use.
//! A key present in one language and not the other fails the build here.

use leptos_i18n_parser::parse_locales::{
    options::{Config, ParseOptions},
    parse_locales,
};
use std::{error::Error, fs, path::PathBuf};

/// Korean first: the default language of the shop.
const LOCALES: [&str; 2] = ["ko", "en"];
/// One file per part of the shop; `islands` holds what the wasm needs, so
/// the browser carries no other text.
const NAMESPACES: [&str; 14] = [
    "common",
    "catalog",
    "cart",
    "checkout",
    "orders",
    "points",
    "account",
    "errors",
    "islands",
    "admin",
    "coupons",
    "flash",
    "addresses",
    "shipping",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let cfg = Config::new(LOCALES[0])?
        .add_locales(&LOCALES[1..])?
        .add_namespaces(NAMESPACES)?
        .parse_options(ParseOptions::default().interpolate_display(true));
    let parsed = parse_locales(None, cfg).map_err(|e| e.to_string())?;
    for path in parsed.tracked_files.iter().flatten() {
        println!("cargo::rerun-if-changed={path}");
    }
    let (errors, warnings) = parsed.diag.borrow();
    // Warnings are missing or surplus keys: both languages must have
    // exactly the same keys, so they fail the build like errors.
    let problems: Vec<String> = errors
        .iter()
        .map(ToString::to_string)
        .chain(warnings.iter().map(ToString::to_string))
        .collect();
    if !problems.is_empty() {
        return Err(format!("the translation catalog:\n{}", problems.join("\n")).into());
    }
    drop((errors, warnings));
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, false)
        .map_err(|e| e.to_string())?;
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    fs::write(out.join("i18n.rs"), code.to_string())?;
    Ok(())
}
