//! Administrative geography as data: governorates, districts, update centres, ration agents.
//! The data files ship in `data/` and are compiled into the binary; this module only parses them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Governorate {
    /// Two digits, `01`..`19`.
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    /// Rough population share (per mille), used only by the synthetic generator.
    pub weight: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct District {
    /// Four digits: the governorate code and a two-digit number.
    pub code: String,
    pub governorate_code: String,
    pub name_ar: String,
    pub name_en: String,
    /// Rough share of the governorate's population (percent), for the synthetic generator.
    pub weight: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateCentre {
    pub code: String,
    pub district_code: String,
    pub name_ar: String,
    pub name_en: String,
    /// Opening time, `HH:MM`.
    pub opens: String,
    /// Closing time, `HH:MM`.
    pub closes: String,
    pub counters: u32,
    /// Approximate position (degrees), to rank centres by distance.
    pub lat: f64,
    pub lon: f64,
    /// Length of one appointment (minutes); a slot holds one household per counter.
    pub slot_minutes: u32,
}

/// A ration agent (وكيل) or flour agent: the outlet a household collects from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RationAgent {
    pub code: String,
    pub district_code: String,
    pub name_ar: String,
}

/// A warehouse of the ministry's trading company: it supplies the ration agents assigned to it, all of
/// one governorate (issue 15: a dry run's tonnage per warehouse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warehouse {
    pub code: String,
    pub governorate_code: String,
    pub name_ar: String,
}

#[derive(Debug, Clone, Default)]
pub struct Geography {
    pub governorates: Vec<Governorate>,
    pub districts: Vec<District>,
    pub centres: Vec<UpdateCentre>,
}

const GOVERNORATES: &str = include_str!("../data/governorates.csv");
const DISTRICTS: &str = include_str!("../data/districts.csv");
const KARBALA_CENTRES: &str = include_str!("../data/karbala_centres.csv");
const KARBALA_TEAMS: &str = include_str!("../data/karbala_teams.csv");

/// A mobile team that visits the elderly, sick and disabled at home, by district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamDef {
    pub code: String,
    pub district_code: String,
    pub name_ar: String,
    pub visits_per_day: u32,
}

/// The mobile teams that ship with Tamwin (Karbala's).
pub fn builtin_teams(geo: &Geography) -> Result<Vec<TeamDef>, String> {
    let mut out = vec![];
    for f in rows(KARBALA_TEAMS, 4)? {
        if geo.district(f[1]).is_none() {
            return Err(format!("team {} names an unknown district {}", f[0], f[1]));
        }
        out.push(TeamDef {
            code: f[0].into(),
            district_code: f[1].into(),
            name_ar: f[2].into(),
            visits_per_day: number(f[3], &f)?,
        });
    }
    Ok(out)
}

/// Data rows of a simple CSV (no quoting): comments (`#`) and the header line skipped.
fn rows(text: &str, columns: usize) -> Result<Vec<Vec<&str>>, String> {
    let mut out = Vec::new();
    let mut header_seen = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() != columns {
            return Err(format!(
                "line {}: expected {columns} fields, found {}",
                i + 1,
                f.len()
            ));
        }
        out.push(f);
    }
    Ok(out)
}

fn number(s: &str, line: &[&str]) -> Result<u32, String> {
    s.parse()
        .map_err(|_| format!("not a number: {s} in {}", line.join(",")))
}

fn degrees(s: &str, line: &[&str]) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|d| d.is_finite() && d.abs() <= 180.0)
        .ok_or_else(|| format!("not a position in degrees: {s} in {}", line.join(",")))
}

impl Geography {
    /// The geography that ships with Tamwin: Iraq's 19 governorates, their districts, Karbala's 10 centres.
    pub fn builtin() -> Result<Self, String> {
        Self::parse(GOVERNORATES, DISTRICTS, KARBALA_CENTRES)
    }

    pub fn parse(governorates: &str, districts: &str, centres: &str) -> Result<Self, String> {
        let mut g = Geography::default();
        for f in rows(governorates, 4)? {
            g.governorates.push(Governorate {
                code: f[0].into(),
                name_ar: f[1].into(),
                name_en: f[2].into(),
                weight: number(f[3], &f)?,
            });
        }
        for f in rows(districts, 5)? {
            if !g.governorates.iter().any(|x| x.code == f[1]) || !f[0].starts_with(f[1]) {
                return Err(format!(
                    "district {} names an unknown governorate {}",
                    f[0], f[1]
                ));
            }
            g.districts.push(District {
                code: f[0].into(),
                governorate_code: f[1].into(),
                name_ar: f[2].into(),
                name_en: f[3].into(),
                weight: number(f[4], &f)?,
            });
        }
        for f in rows(centres, 10)? {
            if g.district(f[1]).is_none() {
                return Err(format!(
                    "centre {} names an unknown district {}",
                    f[0], f[1]
                ));
            }
            g.centres.push(UpdateCentre {
                code: f[0].into(),
                district_code: f[1].into(),
                name_ar: f[2].into(),
                name_en: f[3].into(),
                opens: f[4].into(),
                closes: f[5].into(),
                counters: number(f[6], &f)?,
                lat: degrees(f[7], &f)?,
                lon: degrees(f[8], &f)?,
                slot_minutes: match number(f[9], &f)? {
                    m @ 5..=240 => m,
                    m => return Err(format!("centre {}: slot of {m} minutes", f[0])),
                },
            });
        }
        Ok(g)
    }

    pub fn governorate(&self, code: &str) -> Option<&Governorate> {
        self.governorates.iter().find(|x| x.code == code)
    }
    pub fn district(&self, code: &str) -> Option<&District> {
        self.districts.iter().find(|x| x.code == code)
    }
    pub fn centre(&self, code: &str) -> Option<&UpdateCentre> {
        self.centres.iter().find(|x| x.code == code)
    }
    /// The governorate a centre stands in.
    pub fn centre_governorate(&self, c: &UpdateCentre) -> Option<&str> {
        self.district(&c.district_code)
            .map(|d| d.governorate_code.as_str())
    }
    /// The centres of a governorate, those of `district` first, the others by distance from the
    /// district (the mean position of its centres, or of the governorate's when it has none).
    pub fn centres_by_distance(&self, governorate: &str, district: &str) -> Vec<&UpdateCentre> {
        let mut own: Vec<&UpdateCentre> = self
            .centres
            .iter()
            .filter(|c| self.centre_governorate(c) == Some(governorate))
            .collect();
        let mean = |cs: &[&UpdateCentre]| {
            let n = cs.len().max(1) as f64;
            (
                cs.iter().map(|c| c.lat).sum::<f64>() / n,
                cs.iter().map(|c| c.lon).sum::<f64>() / n,
            )
        };
        let in_district: Vec<&UpdateCentre> = own
            .iter()
            .copied()
            .filter(|c| c.district_code == district)
            .collect();
        let here = if in_district.is_empty() {
            mean(&own)
        } else {
            mean(&in_district)
        };
        own.sort_by(|a, b| {
            let da = crate::appointment::distance_km(here, (a.lat, a.lon));
            let db = crate::appointment::distance_km(here, (b.lat, b.lon));
            (a.district_code != district)
                .cmp(&(b.district_code != district))
                .then(da.total_cmp(&db))
                .then(a.code.cmp(&b.code))
        });
        own
    }
    pub fn districts_of<'a>(
        &'a self,
        governorate: &'a str,
    ) -> impl Iterator<Item = &'a District> + 'a {
        self.districts
            .iter()
            .filter(move |d| d.governorate_code == governorate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_geography_has_19_governorates_and_karbalas_10_centres() {
        let g = Geography::builtin().unwrap();
        assert_eq!(g.governorates.len(), 19);
        assert_eq!(g.governorate("11").unwrap().name_ar, "كربلاء");
        assert_eq!(g.governorate("19").unwrap().name_en, "Halabja");
        for gov in &g.governorates {
            assert!(
                g.districts_of(&gov.code).count() >= 1,
                "{} has no district",
                gov.code
            );
        }
        let karbala: Vec<_> = g
            .centres
            .iter()
            .filter(|c| g.district(&c.district_code).unwrap().governorate_code == "11")
            .collect();
        assert_eq!(karbala.len(), 10);
        assert!(
            karbala
                .iter()
                .all(|c| c.opens == "08:00" && c.closes == "20:00")
        );
        assert_eq!(
            karbala.iter().filter(|c| c.district_code == "1101").count(),
            5
        );
    }

    #[test]
    fn unknown_references_are_refused() {
        assert!(
            Geography::parse(
                "code,a,b,w\n01,x,y,1\n",
                "code,g,a,b,w\n0201,02,x,y,1\n",
                "h\n"
            )
            .is_err()
        );
        assert!(Geography::parse("code,a,b,w\n01,x,y\n", "", "").is_err());
    }
}
