//! Page numbers of the paged lists (client search, Priority List, incoming referrals). A page
//! number comes from the URL, so anyone can send any number: refuse what no list can have before
//! it is multiplied into an OFFSET.

/// The highest page any list offers (50 rows a page: 5,000,000 rows).
pub const MAX_PAGE: i64 = 100_000;

pub const NO_SUCH_PAGE: &str = "There is no such page.";

/// A page number from 1 to [`MAX_PAGE`]; 0 and below mean the first page (a link without one).
pub fn page_number(raw: i64) -> Result<i64, &'static str> {
    match raw {
        ..=0 => Ok(1),
        1..=MAX_PAGE => Ok(raw),
        _ => Err(NO_SUCH_PAGE),
    }
}

/// The OFFSET of `page` (from [`page_number`]) for pages of `page_size` rows.
pub fn offset(page: i64, page_size: i64) -> i64 {
    (page - 1) * page_size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        assert_eq!(page_number(i64::MIN), Ok(1));
        assert_eq!(page_number(0), Ok(1));
        assert_eq!(page_number(1), Ok(1));
        assert_eq!(page_number(MAX_PAGE), Ok(MAX_PAGE));
        assert_eq!(page_number(MAX_PAGE + 1), Err(NO_SUCH_PAGE));
        assert_eq!(page_number(369_000_000_000_000_001), Err(NO_SUCH_PAGE));
    }

    #[test]
    fn offsets_start_at_zero() {
        assert_eq!(offset(1, 50), 0);
        assert_eq!(offset(3, 50), 100);
        assert_eq!(offset(MAX_PAGE, 50), (MAX_PAGE - 1) * 50);
    }
}
