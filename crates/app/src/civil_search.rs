//! The port to the civil registry for screening (issue 14): batched searches and the pages of vital
//! records. The ration side never reads the registry's tables; it asks, as another ministry would,
//! through the identity hub (`HubClient`, over HTTP or in-process to the reference registry).

use crate::hub_client::{CallError, HubClient};
use crate::{AppError, Result};
use tamwin_hub::search::{SearchAnswers, SearchBatch, VitalRecords, VitalRecordsQuery};
use tamwin_hub::services::Service;

pub use tamwin_hub::search::{MAX_BATCH, MAX_PAGE, PersonAnswer, PersonQuery, VitalRecord};

#[async_trait::async_trait]
pub trait CivilSearch: Send + Sync {
    /// One batch of at most `MAX_BATCH` queries; the answers in the queries' order.
    async fn search(&self, batch: &SearchBatch) -> Result<SearchAnswers>;
    /// The deceased and those abroad, at most `MAX_PAGE` after `after` in national-ID order.
    async fn vital_records(&self, q: &VitalRecordsQuery) -> Result<VitalRecords>;
}

fn failed(service: Service, e: CallError) -> AppError {
    AppError::Internal(format!("civil registry {}: {e:?}", service.code()))
}

#[async_trait::async_trait]
impl CivilSearch for HubClient {
    async fn search(&self, batch: &SearchBatch) -> Result<SearchAnswers> {
        let s = Service::SearchPersons;
        let answers: SearchAnswers = self
            .call_within(s, batch, self.search_timeout)
            .await
            .1
            .map_err(|e| failed(s, e))?
            .envelope
            .response
            .ok_or_else(|| AppError::Internal("civil registry: empty answer".into()))?;
        if answers.answers.len() != batch.queries.len()
            || answers
                .answers
                .iter()
                .zip(&batch.queries)
                .any(|(a, q)| a.id != q.id)
        {
            return Err(AppError::Internal(
                "civil registry: answers do not follow the queries".into(),
            ));
        }
        Ok(answers)
    }

    async fn vital_records(&self, q: &VitalRecordsQuery) -> Result<VitalRecords> {
        let s = Service::VitalRecords;
        self.call_within(s, q, self.search_timeout)
            .await
            .1
            .map_err(|e| failed(s, e))?
            .envelope
            .response
            .ok_or_else(|| AppError::Internal("civil registry: empty answer".into()))
    }
}
