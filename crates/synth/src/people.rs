//! Drawing people: name chains that follow the family (a child's father name is the father's given
//! name), births, unique national IDs, and the members of one household.

use crate::Summary;
use crate::weighted::Weighted;
use jiff::civil::Date;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tamwin_domain::NationalId;

#[derive(Clone)]
pub(crate) struct Chain {
    pub(crate) given: String,
    pub(crate) father: String,
    pub(crate) grandfather: String,
    pub(crate) family: Option<String>,
}

impl Chain {
    pub(crate) fn full(&self) -> String {
        match &self.family {
            Some(f) => format!("{} {} {} {}", self.given, self.father, self.grandfather, f),
            None => format!("{} {} {}", self.given, self.father, self.grandfather),
        }
    }
}

pub(crate) struct Person {
    pub(crate) chain: Chain,
    pub(crate) mother: String,
    pub(crate) birth: Date,
    pub(crate) male: bool,
    pub(crate) relation: &'static str,
}

pub(crate) struct Gen {
    pub(crate) rng: ChaCha8Rng,
    pub(crate) male: Weighted<&'static str>,
    pub(crate) female: Weighted<&'static str>,
    pub(crate) family: Weighted<&'static str>,
    pub(crate) next_id: u64,
    pub(crate) no_id_share: f64,
    pub(crate) as_of: Date,
    pub(crate) recent_heads: Vec<Chain>,
}

/// Adult ages of a head of household, by band (weights roughly follow Iraq's young age structure).
pub(crate) const HEAD_AGE_BANDS: &[((i16, i16), u32)] = &[
    ((20, 29), 18),
    ((30, 39), 27),
    ((40, 49), 23),
    ((50, 59), 16),
    ((60, 69), 10),
    ((70, 90), 6),
];

impl Gen {
    pub(crate) fn chain(
        &mut self,
        male: bool,
        father: &str,
        grandfather: &str,
        family: Option<String>,
    ) -> Chain {
        let given = if male {
            self.male.pick(&mut self.rng)
        } else {
            self.female.pick(&mut self.rng)
        };
        Chain {
            given: given.into(),
            father: father.into(),
            grandfather: grandfather.into(),
            family,
        }
    }

    pub(crate) fn random_chain(&mut self, male: bool) -> Chain {
        let f = self.male.pick(&mut self.rng);
        let g = self.male.pick(&mut self.rng);
        let fam = self.maybe_family();
        self.chain(male, f, g, fam)
    }

    pub(crate) fn maybe_family(&mut self) -> Option<String> {
        if self.rng.random_bool(0.9) {
            Some(self.family.pick(&mut self.rng).to_string())
        } else {
            None
        }
    }

    pub(crate) fn birth(&mut self, age: i16) -> Date {
        let year = self.as_of.year() - age - 1;
        let day = self.rng.random_range(0..365i64);
        Date::new(year, 1, 1)
            .ok()
            .and_then(|d| d.checked_add(jiff::Span::new().days(day)).ok())
            .unwrap_or(Date::constant(1980, 1, 1))
    }

    pub(crate) fn national_id(&mut self) -> Option<String> {
        if self.rng.random_bool(self.no_id_share) {
            return None;
        }
        // n -> n·M mod SPAN is a bijection (M and SPAN are coprime): unique IDs without remembering any.
        const SPAN: u64 = 89_999_999_999;
        const M: u128 = 2_654_435_761;
        let n = self.next_id % SPAN;
        self.next_id += 1;
        let payload = 10_000_000_000 + ((u128::from(n) * M) % u128::from(SPAN)) as u64;
        NationalId::from_payload(payload).map(String::from)
    }
}

/// SplitMix64: spreads consecutive seeds over the whole 64-bit range.
pub(crate) fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One household: head, usually a spouse, children, sometimes a parent of the head.
pub(crate) fn household_people(
    g: &mut Gen,
    head_age: &Weighted<(i16, i16)>,
    summary: &mut Summary,
) -> Vec<Person> {
    let (lo, hi) = head_age.pick(&mut g.rng);
    let age = g.rng.random_range(lo..=hi);
    let female_head = g.rng.random_bool(0.1);
    // Namesake: another man with the very same first three names and family name (cousins often are).
    let head_chain = if !female_head && !g.recent_heads.is_empty() && g.rng.random_bool(0.03) {
        summary.namesakes += 1;
        g.recent_heads[g.rng.random_range(0..g.recent_heads.len())].clone()
    } else {
        g.random_chain(!female_head)
    };
    if !female_head {
        if g.recent_heads.len() >= 64 {
            let i = g.rng.random_range(0..64);
            g.recent_heads[i] = head_chain.clone();
        } else {
            g.recent_heads.push(head_chain.clone());
        }
    }
    let head_mother = g.random_chain(false);
    let mut people = vec![Person {
        chain: head_chain.clone(),
        mother: head_mother.full(),
        birth: g.birth(age),
        male: !female_head,
        relation: "head",
    }];
    // The children's parents: the head and the spouse, or a widow and her late husband.
    let (father, mother_chain, mother_age) = if female_head {
        let husband = g.random_chain(true);
        (husband, head_chain.clone(), age)
    } else if age >= 22 && g.rng.random_bool(0.85) {
        let wife_age = (age - g.rng.random_range(0..10)).max(18);
        let wife = g.random_chain(false);
        let wife_mother = g.random_chain(false);
        people.push(Person {
            chain: wife.clone(),
            mother: wife_mother.full(),
            birth: g.birth(wife_age),
            male: false,
            relation: "spouse",
        });
        (head_chain.clone(), wife, wife_age)
    } else {
        return people;
    };
    let fertile_years = (mother_age - 18).clamp(0, 27);
    // Children living at home: Iraq averages about five people a household (46M people, ~9M households).
    let children = if fertile_years == 0 {
        0
    } else {
        g.rng
            .random_range(fertile_years / 8..=(fertile_years / 3 + 1).min(8))
    };
    let mut last_birth: Option<Date> = None;
    let mut first_son = true;
    for _ in 0..children {
        let male = g.rng.random_bool(0.51);
        let twin = last_birth.is_some() && g.rng.random_bool(0.02);
        let birth = if twin {
            summary.twins += 1;
            last_birth.unwrap_or(g.as_of)
        } else {
            let child_age = g
                .rng
                .random_range(0..=fertile_years.max(1))
                .min(mother_age - 18)
                .max(0);
            g.birth(child_age)
        };
        last_birth = Some(birth);
        let mut chain = g.chain(male, &father.given, &father.father, father.family.clone());
        // The first son is often named after his paternal grandfather.
        if male && first_son && g.rng.random_bool(0.15) {
            chain.given = father.father.clone();
        }
        first_son &= !male;
        // Brothers and sisters do not share a given name: draw again (a few times) when one is taken.
        for _ in 0..8 {
            if !people.iter().any(|p| p.chain.given == chain.given) {
                break;
            }
            chain.given = if male {
                g.male.pick(&mut g.rng)
            } else {
                g.female.pick(&mut g.rng)
            }
            .to_string();
        }
        people.push(Person {
            chain,
            mother: mother_chain.full(),
            birth,
            male,
            relation: if male { "son" } else { "daughter" },
        });
    }
    // An elderly mother of the head living with the family: her chain is the head's mother's name.
    if age < 55 && g.rng.random_bool(0.08) {
        let grandmother_mother = g.random_chain(false);
        let gap = g.rng.random_range(18..35);
        people.push(Person {
            chain: head_mother,
            mother: grandmother_mother.full(),
            birth: g.birth(age + gap),
            male: false,
            relation: "mother",
        });
    }
    people
}
