//! Page selection for list endpoints (docs/engine-api.md#pagination as amended by docs/decisions.md#pagination):
//! `limit` 1..=200 (default 20) with either `offset` (≥ 0) or `page` (≥ 1), never both.

use super::jsnum;
use super::validate::FieldError;

/// The default page size.
pub const DEFAULT_LIMIT: i64 = 20;
/// The largest page a client may ask for.
pub const MAX_LIMIT: i64 = 200;

/// Which slice of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// How many rows at most.
    pub limit: i64,
    /// How many rows to skip.
    pub offset: i64,
}

impl Page {
    /// Reads `limit`, `offset` and `page` (each the raw query value, if given).
    pub fn from_query(
        limit: Option<&str>,
        offset: Option<&str>,
        page: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut read = |name: &str, raw: Option<&str>, min: i64, max: i64| -> Option<i64> {
            let raw = raw?;
            let Some(n) = jsnum::parse(raw) else {
                errors.push(FieldError::new(
                    name,
                    "Invalid input: expected number, received NaN",
                ));
                return None;
            };
            let Some(n) = jsnum::parse_integer(raw) else {
                errors.push(FieldError::new(
                    name,
                    if n.is_finite() {
                        "Invalid input: expected int, received number"
                    } else {
                        "Invalid input: expected number, received Infinity"
                    },
                ));
                return None;
            };
            if n < min {
                errors.push(FieldError::new(
                    name,
                    format!("Too small: expected number to be >={min}"),
                ));
                return None;
            }
            if n > max {
                errors.push(FieldError::new(
                    name,
                    format!("Too big: expected number to be <={max}"),
                ));
                return None;
            }
            Some(n)
        };
        let limit = read("limit", limit, 1, MAX_LIMIT).unwrap_or(DEFAULT_LIMIT);
        let offset_value = read("offset", offset, 0, i64::MAX);
        let page_value = read("page", page, 1, i64::MAX);
        if offset.is_some() && page.is_some() {
            errors.push(FieldError::new(
                "page",
                "Give either offset or page, not both",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let offset = match (offset_value, page_value) {
            (Some(offset), _) => offset,
            (None, Some(page)) => (page - 1).saturating_mul(limit),
            (None, None) => 0,
        };
        Ok(Self { limit, offset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(limit: Option<&str>, offset: Option<&str>, page: Option<&str>) -> Result<Page, usize> {
        Page::from_query(limit, offset, page).map_err(|e| e.len())
    }

    #[test]
    fn defaults() {
        assert_eq!(
            page(None, None, None),
            Ok(Page {
                limit: 20,
                offset: 0
            })
        );
    }

    #[test]
    fn limit_bounds() {
        assert_eq!(
            page(Some("1"), None, None),
            Ok(Page {
                limit: 1,
                offset: 0
            })
        );
        assert_eq!(
            page(Some("200"), None, None),
            Ok(Page {
                limit: 200,
                offset: 0
            })
        );
        assert_eq!(page(Some("0"), None, None), Err(1));
        assert_eq!(page(Some("201"), None, None), Err(1));
        assert_eq!(page(Some(""), None, None), Err(1));
        assert_eq!(page(Some("2.5"), None, None), Err(1));
        assert_eq!(page(Some("abc"), None, None), Err(1));
        assert_eq!(
            page(Some(" 7 "), None, None),
            Ok(Page {
                limit: 7,
                offset: 0
            })
        );
        assert_eq!(
            page(Some("1e1"), None, None),
            Ok(Page {
                limit: 10,
                offset: 0
            })
        );
    }

    #[test]
    fn offset_and_page() {
        assert_eq!(
            page(Some("2"), Some("1"), None),
            Ok(Page {
                limit: 2,
                offset: 1
            })
        );
        assert_eq!(
            page(None, Some(""), None),
            Ok(Page {
                limit: 20,
                offset: 0
            })
        );
        assert_eq!(
            page(Some("50"), None, Some("3")),
            Ok(Page {
                limit: 50,
                offset: 100
            })
        );
        assert_eq!(page(None, Some("-1"), None), Err(1));
        assert_eq!(page(None, None, Some("0")), Err(1));
        assert_eq!(page(None, Some("0"), Some("1")), Err(1));
    }
}
