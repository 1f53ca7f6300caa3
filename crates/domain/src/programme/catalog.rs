//! The items programmes may hand out and the unit each is counted in. Quantities and money are exact
//! integers of the smallest unit (grams, millilitres, loaves, fils, piastres), never floats. The names
//! people read come from the catalogs (`item_<code>`), not from here.

/// The unit an item, or money, is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    Gram,
    Millilitre,
    Loaf,
    /// One thousandth of an Iraqi dinar.
    Fils,
    /// One hundredth of an Egyptian pound.
    Piastre,
}

impl Unit {
    pub const ALL: [Unit; 5] = [
        Unit::Gram,
        Unit::Millilitre,
        Unit::Loaf,
        Unit::Fils,
        Unit::Piastre,
    ];

    /// The code programme files write: `g`, `ml`, `loaf`, `fils`, `piastre`.
    pub const fn code(self) -> &'static str {
        match self {
            Unit::Gram => "g",
            Unit::Millilitre => "ml",
            Unit::Loaf => "loaf",
            Unit::Fils => "fils",
            Unit::Piastre => "piastre",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == s)
    }

    /// Whether this unit counts money rather than goods.
    pub const fn is_money(self) -> bool {
        matches!(self, Unit::Fils | Unit::Piastre)
    }
}

/// The items known to the platform, each with the one unit it is counted in.
pub const ITEMS: &[(&str, Unit)] = &[
    ("rice", Unit::Gram),
    ("sugar", Unit::Gram),
    ("vegetable_oil", Unit::Millilitre),
    ("tomato_paste", Unit::Gram),
    ("lentils", Unit::Gram),
    ("chickpeas", Unit::Gram),
    ("milk_powder", Unit::Gram),
    ("tea", Unit::Gram),
    ("flour", Unit::Gram),
    ("bread", Unit::Loaf),
    ("pasta", Unit::Gram),
    ("fava_beans", Unit::Gram),
    ("ghee", Unit::Gram),
    ("cheese", Unit::Gram),
    ("salt", Unit::Gram),
    ("beans", Unit::Gram),
    ("molasses", Unit::Gram),
    ("jam", Unit::Gram),
    ("halawa", Unit::Gram),
    ("tuna", Unit::Gram),
    ("detergent", Unit::Gram),
    ("soap", Unit::Gram),
];

/// The unit of a known item; `None` for an item the platform does not know.
pub fn unit_of(item: &str) -> Option<Unit> {
    ITEMS
        .iter()
        .find(|(code, _)| *code == item)
        .map(|(_, u)| *u)
}
