//! Every distinct name key is stored once and records hold its number: a country's registry repeats a
//! few thousand names millions of times, so comparing numbers first and strings only when they differ
//! keeps both the memory and the comparisons small. Id 0 is "missing".

use crate::compare::skeleton;
use crate::translit::consonants;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Vocab {
    ids: HashMap<Box<str>, u32>,
    keys: Vec<Box<str>>,
    /// Per id: the id of its dot skeleton and of its cross-script consonant key (both interned too).
    skeletons: Vec<u32>,
    consonant_keys: Vec<u32>,
    /// Per id: how many records carry it as given, father, grandfather and family name (term
    /// frequencies), and per field how many records have that field at all.
    counts: Vec<[u32; 4]>,
    totals: [u64; 4],
    /// Raw field text to id: the same few thousand spellings recur, and keying them (NFKC, folding)
    /// costs far more than a lookup.
    raw: HashMap<Box<str>, u32>,
}

/// The raw-text cache stops growing here (a registry full of unique spellings still loads).
const RAW_CACHE_MAX: usize = 4_000_000;

impl Vocab {
    pub fn new() -> Vocab {
        let mut v = Vocab::default();
        v.push(String::new().into());
        v
    }

    fn push(&mut self, key: Box<str>) -> u32 {
        let id = self.keys.len() as u32;
        self.ids.insert(key.clone(), id);
        self.keys.push(key);
        self.skeletons.push(id);
        self.consonant_keys.push(id);
        self.counts.push([0; 4]);
        id
    }

    fn raw_id(&mut self, key: &str) -> u32 {
        match self.ids.get(key) {
            Some(id) => *id,
            None => self.push(key.into()),
        }
    }

    /// The id of a name key (already `text_ar::name_key`), interning it with its skeleton and consonant
    /// keys on first sight.
    pub fn id(&mut self, key: &str) -> u32 {
        if key.is_empty() {
            return 0;
        }
        if let Some(id) = self.ids.get(key) {
            return *id;
        }
        let id = self.push(key.into());
        let sk = self.raw_id(&skeleton(key));
        let co = self.raw_id(&consonants(key));
        self.skeletons[id as usize] = sk;
        self.consonant_keys[id as usize] = co;
        id
    }

    /// The id of a raw name as typed (keyed with `text_ar::name_key`).
    pub fn name(&mut self, raw: &str) -> u32 {
        if let Some(id) = self.raw.get(raw) {
            return *id;
        }
        let id = self.id(&tamwin_text_ar::name_key(raw));
        if self.raw.len() < RAW_CACHE_MAX {
            self.raw.insert(raw.into(), id);
        }
        id
    }

    /// A chain of names as typed (the mother's full name), name by name: عبد stays with the name
    /// after it, as the key joins them.
    pub fn chain(&mut self, raw: &str) -> [u32; 4] {
        let mut out = [0u32; 4];
        let mut n = 0;
        let mut words = raw.split_whitespace().peekable();
        while let Some(w) = words.next() {
            if n == out.len() {
                break;
            }
            let id = match words.peek() {
                Some(next) if w == "عبد" => {
                    let joined = format!("{w} {next}");
                    words.next();
                    self.name(&joined)
                }
                _ => self.name(w),
            };
            if id != 0 {
                out[n] = id;
                n += 1;
            }
        }
        out
    }

    /// Counts one occurrence of `id` in name field `field` (0 given … 3 family).
    pub fn count(&mut self, field: usize, id: u32) {
        if id != 0 {
            self.counts[id as usize][field] += 1;
            self.totals[field] += 1;
        }
    }

    pub fn key(&self, id: u32) -> &str {
        &self.keys[id as usize]
    }

    pub fn skeleton(&self, id: u32) -> u32 {
        self.skeletons[id as usize]
    }

    pub fn consonants(&self, id: u32) -> u32 {
        self.consonant_keys[id as usize]
    }

    /// The share of records whose name field `field` is `id` (at least one record's worth).
    pub fn frequency(&self, field: usize, id: u32) -> f64 {
        let total = self.totals[field].max(1) as f64;
        f64::from(self.counts[id as usize][field].max(1)) / total
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.len() <= 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_shared_and_skeletons_meet() {
        let mut v = Vocab::new();
        let a = v.id("حسين");
        let b = v.id("خسين");
        assert_eq!(v.id("حسين"), a);
        assert_ne!(a, b);
        assert_eq!(v.skeleton(a), v.skeleton(b));
        assert_eq!(v.id(""), 0);
        v.count(0, a);
        v.count(0, a);
        v.count(0, b);
        v.count(0, 0);
        assert_eq!(v.frequency(0, a), 2.0 / 3.0);
        assert_eq!(v.key(a), "حسين");
        assert_eq!(v.name("حُسين"), a);
        let chain = v.chain("فاطمة  عبد الله  حسن");
        assert_eq!(v.key(chain[0]), "فاطمه");
        assert_eq!(v.key(chain[1]), "عبدالله");
        assert_eq!((v.key(chain[2]), chain[3]), ("حسن", 0));
    }
}
