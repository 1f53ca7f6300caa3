//! What a screening run learns from the civil registry, asked through its port (issue 14): the death
//! and exit records as pages of vital records, and for the fictitious kind each member's best match in
//! the registry, searched in batches on the registry's side. The ration side never reads the
//! registry's tables.

use super::raw;
use super::run::Loaded;
use crate::civil_search::{CivilSearch, MAX_BATCH, MAX_PAGE, PersonQuery, VitalRecord};
use crate::{AppError, Registry, Result};
use std::sync::Arc;
use tamwin_hub::search::{SearchBatch, VitalRecordsQuery};
use tamwin_matching::record::NO_HOUSEHOLD;
use tamwin_matching::screen::{Finding, Trip, days, fictitious, id_note};
use tamwin_matching::{BirthDate, RawPerson, Rec, Settings};
use tamwin_store::ScreeningPerson;

fn vital_raw(v: &VitalRecord) -> RawPerson<'_> {
    RawPerson {
        national_id: &v.national_id,
        given: &v.given_name,
        father: &v.father_name,
        grandfather: &v.grandfather_name,
        family: v.family_name.as_deref().unwrap_or(""),
        mother: &v.mother_name,
        birth: &v.birth_date,
        sex: &v.sex,
    }
}

/// A member as the search asks about them, or none when there is nothing to search by (no national
/// ID, and no given name or no readable birth date): such a member has no match.
fn query(p: &ScreeningPerson, id: usize, household: u32) -> Option<PersonQuery> {
    let national_id = p
        .national_id
        .clone()
        .filter(|n| tamwin_domain::NationalId::parse(n).is_ok() && !n.trim().is_empty());
    if national_id.is_none()
        && (p.given.trim().is_empty() || BirthDate::parse(&p.birth_date).is_none())
    {
        return None;
    }
    let r = raw(p);
    Some(PersonQuery {
        id: id.to_string(),
        national_id,
        given_name: r.given.into(),
        father_name: r.father.into(),
        grandfather_name: r.grandfather.into(),
        family_name: p.family.clone(),
        mother_name: r.mother.into(),
        birth_date: r.birth.into(),
        sex: match r.sex.trim() {
            s @ ("male" | "female") => s.into(),
            _ => String::new(),
        },
        household,
    })
}

/// One batch of the fictitious kind: members `first..` (`chunk`, their records in `people` at the
/// same indices) searched in the registry; a finding for each one nobody on file matches, and how many
/// persons the registry holds (none on file: no findings, as an empty registry never gave any).
pub async fn search_batch(
    civil: &dyn CivilSearch,
    run_id: &str,
    first: usize,
    chunk: &[ScreeningPerson],
    people: &[Rec],
) -> Result<(Vec<Finding>, u64)> {
    let queries: Vec<PersonQuery> = chunk
        .iter()
        .enumerate()
        .filter_map(|(k, m)| query(m, first + k, people[first + k].household))
        .collect();
    if queries.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let (mut best, mut known) = (vec![0.0; chunk.len()], vec![false; chunk.len()]);
    let batch = SearchBatch {
        run: run_id.to_string(),
        queries,
    };
    let answers = civil.search(&batch).await?;
    for (a, q) in answers.answers.iter().zip(&batch.queries) {
        let k = q.id.parse::<usize>().unwrap_or(first) - first;
        best[k] = a.score;
        known[k] = a.national_id_known == Some(true);
    }
    if answers.searched == 0 {
        return Ok((Vec::new(), 0));
    }
    let settings = Settings::default();
    let findings = (0..chunk.len())
        .filter_map(|k| {
            let i = first + k;
            let note = id_note(people[i].nid != 0, known[k]);
            fictitious(i as u32, best[k], note, &settings)
        })
        .collect();
    Ok((findings, answers.searched))
}

impl Registry {
    fn civil_search(&self) -> Result<Arc<dyn CivilSearch>> {
        self.civil
            .clone()
            .or_else(|| self.hub.clone().map(|h| h as Arc<dyn CivilSearch>))
            .ok_or_else(|| {
                AppError::Internal(
                    "no civil registry: screening asks it through the identity hub".into(),
                )
            })
    }

    /// The deceased and those abroad, as the death and exit records screening links members to.
    pub(super) async fn load_vital_records(&self, run_id: &str, l: &mut Loaded) -> Result<()> {
        let civil = self.civil_search()?;
        let mut ignore = |_: &'static str, _| {};
        let mut after: Option<String> = None;
        loop {
            let q = VitalRecordsQuery {
                after: after.take(),
                limit: MAX_PAGE,
                national_id: None,
            };
            let page = civil.vital_records(&q).await?;
            for v in &page.records {
                let r = Rec::from_raw(&mut l.vocab, &vital_raw(v), NO_HOUSEHOLD, &mut ignore);
                if v.death_date.is_some() {
                    l.deaths.push(r);
                    l.death_ids.push(v.national_id.clone());
                } else if let Some(since) = &v.abroad_since {
                    l.exits.push(r);
                    l.exit_ids.push(v.national_id.clone());
                    l.trips.push(Trip {
                        exit: BirthDate::parse(since).and_then(days),
                        returned: None,
                    });
                }
            }
            let n = (l.deaths.len() + l.exits.len()) as i64;
            self.store
                .screening_progress(run_id, "load civil registry", n, 0)
                .await?;
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(())
    }

    /// The fictitious kind: every member searched in the registry, batch by batch; a finding for each
    /// one nobody on file matches. Returns the findings and how many persons the registry holds.
    pub(super) async fn search_registry(
        &self,
        run_id: &str,
        l: &Loaded,
    ) -> Result<(Vec<Finding>, u64)> {
        let civil = self.civil_search()?;
        let (mut findings, mut searched) = (Vec::new(), 0u64);
        for (n, chunk) in l.members.chunks(MAX_BATCH).enumerate() {
            let first = n * MAX_BATCH;
            let (found, on_file) =
                search_batch(civil.as_ref(), run_id, first, chunk, &l.people).await?;
            findings.extend(found);
            searched = searched.max(on_file);
            let done = (first + chunk.len()) as i64;
            self.store
                .screening_progress(
                    run_id,
                    "search civil registry",
                    done,
                    l.members.len() as i64,
                )
                .await?;
        }
        Ok((findings, searched))
    }

    /// The civil registry's record of a death or exit finding, for the auditor's side-by-side view;
    /// none when the registry cannot say now (the finding's explanation still stands).
    pub(super) async fn vital_record(&self, national_id: &str) -> Option<VitalRecord> {
        let civil = self.civil_search().ok()?;
        let q = VitalRecordsQuery {
            after: None,
            limit: 1,
            national_id: Some(national_id.to_string()),
        };
        match civil.vital_records(&q).await {
            Ok(page) => page.records.into_iter().next(),
            Err(e) => {
                tracing::warn!("civil registry record of {national_id}: {e}");
                None
            }
        }
    }
}
