//! The registry's answers to the batched search and to the vital-records pages (docs/hub-protocol.md,
//! "Searching the registry"). The search index is the registry as of a run's first batch, keyed in
//! memory and kept for that run; the matching engine scores each batch against it on the registry's
//! side, so the ration side learns a probability and no one's data.

use tamwin_hub::HubErrorCode;
use tamwin_hub::search::{
    MAX_BATCH, MAX_PAGE, MAX_REF, PersonAnswer, PersonQuery, SearchAnswers, SearchBatch,
    VitalRecord, VitalRecords, VitalRecordsQuery,
};
use tamwin_matching::search::Index;
use tamwin_matching::{BirthDate, RawPerson, Rec, Settings, Vocab};
use tamwin_store::{CivilPerson, CivilStore};

/// Persons read from the registry's table per statement while the index is built.
const PAGE: u32 = 20_000;

/// The life status the index keeps per person: alive, deceased, abroad.
const LIFE: [&str; 3] = ["alive", "deceased", "abroad"];

struct Session {
    run: String,
    index: Index,
    life: Vec<u8>,
}

/// The index of the run being searched (one at a time: a new run replaces it).
#[derive(Default)]
pub struct Searcher {
    session: tokio::sync::Mutex<Option<Session>>,
}

/// A person on file as the engine reads them.
pub fn raw(p: &CivilPerson) -> RawPerson<'_> {
    RawPerson {
        national_id: &p.national_id,
        given: &p.given_name,
        father: &p.father_name,
        grandfather: &p.grandfather_name,
        family: p.family_name.as_deref().unwrap_or(""),
        mother: &p.mother_name,
        birth: &p.birth_date,
        sex: &p.sex,
    }
}

fn query_raw(q: &PersonQuery) -> RawPerson<'_> {
    RawPerson {
        national_id: q.national_id.as_deref().unwrap_or(""),
        given: &q.given_name,
        father: &q.father_name,
        grandfather: &q.grandfather_name,
        family: q.family_name.as_deref().unwrap_or(""),
        mother: &q.mother_name,
        birth: &q.birth_date,
        sex: &q.sex,
    }
}

/// A batch the registry can answer: within the limit, every query with a reference and either a
/// national ID that parses or a given name and a birth date that does.
fn validate(b: &SearchBatch) -> Result<(), HubErrorCode> {
    if b.queries.len() > MAX_BATCH {
        return Err(HubErrorCode::BatchTooLarge);
    }
    let bad_ref = |s: &str| s.trim().is_empty() || s.chars().count() > MAX_REF;
    if bad_ref(&b.run) {
        return Err(HubErrorCode::InvalidInput);
    }
    for q in &b.queries {
        let id_ok = match &q.national_id {
            Some(n) => tamwin_domain::NationalId::parse(n).is_ok() && !n.trim().is_empty(),
            None => true,
        };
        let names_ok = q.national_id.is_some()
            || (!q.given_name.trim().is_empty() && BirthDate::parse(&q.birth_date).is_some());
        let sex_ok = matches!(q.sex.trim(), "" | "male" | "female");
        if bad_ref(&q.id) || !id_ok || !names_ok || !sex_ok {
            return Err(HubErrorCode::InvalidInput);
        }
    }
    Ok(())
}

async fn build(store: &dyn CivilStore, run: &str) -> Result<Session, HubErrorCode> {
    let mut vocab = Vocab::new();
    let mut ignore = |_: &'static str, _| {};
    let (mut recs, mut life) = (Vec::new(), Vec::new());
    let mut after: Option<String> = None;
    loop {
        let page = store
            .civil_page(after.as_deref(), PAGE, false)
            .await
            .map_err(|e| {
                tracing::warn!("search index: {e}");
                HubErrorCode::Unavailable
            })?;
        let Some(last) = page.last() else { break };
        after = Some(last.national_id.clone());
        for p in &page {
            recs.push(Rec::from_raw(
                &mut vocab,
                &raw(p),
                tamwin_matching::record::NO_HOUSEHOLD,
                &mut ignore,
            ));
            life.push(match (&p.death_date, &p.abroad_since) {
                (Some(_), _) => 1,
                (None, Some(_)) => 2,
                (None, None) => 0,
            });
        }
    }
    let index = tokio::task::spawn_blocking(move || Index::new(vocab, recs, Settings::default()))
        .await
        .map_err(|_| HubErrorCode::Internal)?;
    Ok(Session {
        run: run.to_string(),
        index,
        life,
    })
}

impl Searcher {
    pub async fn search(
        &self,
        store: &dyn CivilStore,
        batch: SearchBatch,
    ) -> Result<SearchAnswers, HubErrorCode> {
        validate(&batch)?;
        let mut guard = self.session.lock().await;
        if guard.as_ref().is_none_or(|s| s.run != batch.run) {
            // The old index goes first: two registries in memory at once is what a country cannot afford.
            *guard = None;
            *guard = Some(build(store, &batch.run).await?);
        }
        let mut session = guard.take().ok_or(HubErrorCode::Internal)?;
        let (session, answers) = tokio::task::spawn_blocking(move || {
            let raws: Vec<RawPerson> = batch.queries.iter().map(query_raw).collect();
            let households: Vec<u32> = batch.queries.iter().map(|q| q.household).collect();
            let best = session.index.search(&raws, &households);
            let review = Settings::default().review;
            let answers: Vec<PersonAnswer> = batch
                .queries
                .iter()
                .zip(best)
                .map(|(q, best)| {
                    let on_file = q.national_id.as_deref().map(|n| session.index.find_nid(n));
                    let score = f64::from(best);
                    PersonAnswer {
                        id: q.id.clone(),
                        matched: score >= review,
                        score,
                        national_id_known: on_file.map(|i| i.is_some()),
                        life_status: on_file.flatten().map(|i| {
                            LIFE[usize::from(session.life.get(i).copied().unwrap_or(0))].into()
                        }),
                    }
                })
                .collect();
            (session, answers)
        })
        .await
        .map_err(|_| HubErrorCode::Internal)?;
        let searched = session.index.len() as u64;
        *guard = Some(session);
        Ok(SearchAnswers { searched, answers })
    }
}

/// A page of the deceased and those abroad.
pub async fn vital_records(
    store: &dyn CivilStore,
    q: &VitalRecordsQuery,
) -> Result<VitalRecords, HubErrorCode> {
    if q.limit > MAX_PAGE {
        return Err(HubErrorCode::BatchTooLarge);
    }
    if q.limit == 0
        || q.after
            .as_ref()
            .is_some_and(|a| a.chars().count() > MAX_REF)
    {
        return Err(HubErrorCode::InvalidInput);
    }
    let page = match &q.national_id {
        Some(n) => {
            let id = tamwin_domain::NationalId::parse(n).map_err(|_| HubErrorCode::InvalidInput)?;
            let p = store
                .civil_person(id.as_str())
                .await
                .map_err(|_| HubErrorCode::Unavailable)?;
            p.into_iter()
                .filter(|p| p.death_date.is_some() || p.abroad_since.is_some())
                .collect()
        }
        None => store
            .civil_page(q.after.as_deref(), q.limit, true)
            .await
            .map_err(|_| HubErrorCode::Unavailable)?,
    };
    let next = (page.len() == q.limit as usize)
        .then(|| page.last().map(|p| p.national_id.clone()))
        .flatten();
    Ok(VitalRecords {
        records: page
            .into_iter()
            .map(|p| VitalRecord {
                national_id: p.national_id,
                given_name: p.given_name,
                father_name: p.father_name,
                grandfather_name: p.grandfather_name,
                family_name: p.family_name,
                mother_name: p.mother_name,
                birth_date: p.birth_date,
                sex: p.sex,
                death_date: p.death_date,
                abroad_since: p.abroad_since,
            })
            .collect(),
        next,
    })
}
