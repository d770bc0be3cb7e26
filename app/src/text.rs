//! Free text from shoppers and staff (a product's name, a stock note, a
//! cancel's reason): the one rule every such field is held to.

use crate::{
    error::{AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
};

/// A free text field of a form or a JSON body: trimmed, within `max`
/// characters, required or not, and free of control characters (a
/// `multiline` one may have line breaks and tabs). Refused with the field
/// named.
pub fn field(
    field: &str,
    raw: &str,
    required: bool,
    max: usize,
    multiline: bool,
) -> AppResult<String> {
    let text = raw.trim();
    let refused = |message: String| {
        Err(AppError::invalid_field(
            ErrorCode::BadRequest,
            field,
            message,
        ))
    };
    if required && text.is_empty() {
        return refused(td_string!(Locale::current(), admin.error_required, field).to_string());
    }
    if text.chars().count() > max {
        return refused(
            td_string!(Locale::current(), errors.text_too_long, field, max).to_string(),
        );
    }
    let line_break = |c: char| matches!(c, '\n' | '\r' | '\t');
    if text
        .chars()
        .any(|c| is_never_text(c) || (!multiline && line_break(c)))
    {
        return refused(td_string!(Locale::current(), errors.text_control, field).to_string());
    }
    Ok(text.to_string())
}

/// A character no text of the shop may hold: a control character other
/// than tab, line feed and carriage return (NUL among them, which
/// PostgreSQL refuses in text). A single-line field refuses those three too.
pub fn is_never_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A `LIKE … ESCAPE '\\'` pattern finding `search` anywhere, case aside
/// (the column is compared lower-cased): `%` and `_` in what someone
/// typed are literal characters.
pub fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_wildcards_are_escaped() {
        assert_eq!(like_pattern("Tee"), "%tee%");
        assert_eq!(like_pattern("100%_x"), "%100\\%\\_x%");
    }
}
