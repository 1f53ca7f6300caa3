//! The civil registry's ground truth for a person of the ration registry (a row of `persons.csv`),
//! and the synthetic fingerprints it keeps.

use crate::Summary;
use crate::people::Person;
use jiff::civil::Date;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// What the civil registry knows of one person of the ration registry: the ground truth the screening
/// and the hub are tested against. Deaths and departures the ration registry already holds are there;
/// so are some it does not know of (unreported deaths, emigrants still collecting), and a few people
/// of the ration registry are not in the civil registry at all (fictitious).
pub(crate) struct CivilTruth<'a> {
    pub(crate) nid: &'a str,
    pub(crate) p: &'a Person,
    pub(crate) age: i16,
    pub(crate) as_of: Date,
    pub(crate) phone: Option<&'a str>,
    /// The hold the ration registry carries for this person, if any.
    pub(crate) held: Option<&'static str>,
}

impl CivilTruth<'_> {
    pub(crate) fn row(&self, rng: &mut ChaCha8Rng, s: &mut Summary) -> Option<Vec<String>> {
        if rng.random_bool(0.003) {
            s.civil_missing += 1;
            return None;
        }
        let days_ago = |rng: &mut ChaCha8Rng, max: i64| {
            self.as_of
                .checked_sub(jiff::Span::new().days(rng.random_range(1..max)))
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        let unreported_death = rng.random_bool(if self.age >= 60 { 0.015 } else { 0.001 });
        let death =
            (self.held == Some("deceased") || unreported_death).then(|| days_ago(rng, 1000));
        let unreported_exit = (20..45).contains(&self.age) && rng.random_bool(0.01);
        let abroad = (death.is_none() && (self.held == Some("abroad") || unreported_exit))
            .then(|| days_ago(rng, 700));
        if death.is_some() {
            s.civil_deceased += 1;
        }
        if abroad.is_some() {
            s.civil_abroad += 1;
        }
        let draw: f64 = rng.random();
        let status = if draw < 0.02 {
            None
        } else if draw < 0.05 {
            Some("expired")
        } else if draw < 0.055 {
            Some("lost")
        } else if draw < 0.06 {
            Some("replaced")
        } else {
            Some("valid")
        };
        if status.is_none() {
            s.civil_without_card += 1;
        }
        let expires = status.map(|st| {
            let years = if st == "expired" {
                -1
            } else {
                rng.random_range(1..10)
            };
            self.as_of
                .checked_add(jiff::Span::new().years(years))
                .map(|d| d.to_string())
                .unwrap_or_default()
        });
        s.civil_persons += 1;
        let p = self.p;
        Some(vec![
            self.nid.to_string(),
            p.chain.given.clone(),
            p.chain.father.clone(),
            p.chain.grandfather.clone(),
            p.chain.family.clone().unwrap_or_default(),
            p.mother.clone(),
            p.birth.to_string(),
            if p.male { "male" } else { "female" }.to_string(),
            self.phone.unwrap_or_default().to_string(),
            status.unwrap_or_default().to_string(),
            expires.unwrap_or_default(),
            status
                .map(|_| fingerprint_sha256(self.nid))
                .unwrap_or_default(),
            death.unwrap_or_default(),
            abroad.unwrap_or_default(),
        ])
    }
}

/// The synthetic fingerprint template of a person (what a scanner would capture) and its digest, the
/// only thing the civil registry keeps on file in this simulation.
pub fn fingerprint_template(national_id: &str) -> String {
    format!("FP-TEMPLATE-{national_id}")
}

pub fn fingerprint_sha256(national_id: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(fingerprint_template(national_id).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
