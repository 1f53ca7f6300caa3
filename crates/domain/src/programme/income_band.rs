//! Egypt's household income bands (issue 15 point 2): a household may declare the band its monthly
//! income falls in rather than an amount. Tamwin's bands, not an official classification: chosen so
//! that the EGP 2,400 threshold for new cards (facts.md) is a boundary, with one band below and one
//! above it on each side. Amounts are piastres, like every Egyptian amount in Tamwin.

/// One band: the household's monthly income is at least `from` and, when `below` is set, less than it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncomeBand {
    pub code: &'static str,
    pub from: i64,
    pub below: Option<i64>,
}

pub const INCOME_BANDS: [IncomeBand; 4] = [
    IncomeBand {
        code: "under_1000",
        from: 0,
        below: Some(100_000),
    },
    IncomeBand {
        code: "1000_2399",
        from: 100_000,
        below: Some(240_000),
    },
    IncomeBand {
        code: "2400_4999",
        from: 240_000,
        below: Some(500_000),
    },
    IncomeBand {
        code: "5000_plus",
        from: 500_000,
        below: None,
    },
];

pub fn band(code: &str) -> Option<&'static IncomeBand> {
    INCOME_BANDS.iter().find(|b| b.code == code)
}

impl IncomeBand {
    /// Every income in the band is at least `v`: only then does a band meet `at_least`.
    pub fn all_at_least(&self, v: i64) -> bool {
        self.from >= v
    }
    /// Every income in the band is below `v`.
    pub fn all_below(&self, v: i64) -> bool {
        self.below.is_some_and(|b| b <= v)
    }
}

/// The bands that meet a condition on the household's income, for the SQL of a counting.
pub fn bands_where(pred: impl Fn(&IncomeBand) -> bool) -> Vec<&'static str> {
    INCOME_BANDS
        .iter()
        .filter(|b| pred(b))
        .map(|b| b.code)
        .collect()
}
