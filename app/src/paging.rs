//! Pages of a listing: `page` from 1, `per_page` up to 100.

use crate::{
    error::{AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub const MAX_PAGE: u32 = 100_000;
    pub const MAX_PER_PAGE: u32 = 100;

    /// Parses the raw query values; empty values count as absent. Anything
    /// but a whole number in range is a 400 naming the field.
    pub fn parse(
        page: Option<&str>,
        per_page: Option<&str>,
        default_per_page: u32,
    ) -> AppResult<Self> {
        Ok(Self {
            page: number("page", page, 1, Self::MAX_PAGE)?,
            per_page: number("per_page", per_page, default_per_page, Self::MAX_PER_PAGE)?,
        })
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// How many pages `total` items fill (at least one).
    pub fn page_count(total: i64, per_page: u32) -> u32 {
        let per_page = i64::from(per_page.max(1));
        ((total + per_page - 1) / per_page).max(1) as u32
    }
}

/// A whole number from 1 to `max` in a query value, `default` when absent.
pub(crate) fn number(field: &str, raw: Option<&str>, default: u32, max: u32) -> AppResult<u32> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                AppError::invalid_field(
                    ErrorCode::BadRequest,
                    field,
                    td_string!(Locale::current(), errors.page_range, field, max),
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds() {
        let p = Paging::parse(Some("2"), Some("10"), 20).unwrap();
        assert_eq!((p.page, p.per_page, p.offset()), (2, 10, 10));
        assert_eq!(
            Paging::parse(None, Some(" "), 20).unwrap(),
            Paging {
                page: 1,
                per_page: 20
            }
        );
        for (page, per_page, field) in [
            (Some("0"), None, "page"),
            (Some("-1"), None, "page"),
            (Some("1.5"), None, "page"),
            (None, Some("lots"), "per_page"),
            (None, Some("101"), "per_page"),
        ] {
            let err = Paging::parse(page, per_page, 20).unwrap_err();
            assert_eq!(err.field().unwrap(), field);
        }
    }

    #[test]
    fn page_count_rounds_up() {
        assert_eq!(Paging::page_count(25, 12), 3);
        assert_eq!(Paging::page_count(24, 12), 2);
        assert_eq!(Paging::page_count(0, 12), 1);
    }
}
