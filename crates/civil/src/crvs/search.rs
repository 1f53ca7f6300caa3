//! Search by national ID, in batches: the results read from the civil registry in a few statements,
//! answered asynchronously (acknowledged now, `on-search` later) or synchronously.

use super::{ack_response, id, json_response, person_record};
use crate::server::HubServer;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
use tamwin_hub::crvs::{self, Ack, CrvsError};
use tamwin_store::CivilPerson;

impl HubServer {
    pub(super) async fn search_results(
        &self,
        req: &crvs::SearchRequest,
        correlation_id: &str,
    ) -> Result<crvs::SearchResponse, CrvsError> {
        // Every valid ID of the batch read in a few statements, not one query per person.
        let ids: Vec<String> = req
            .search_request
            .iter()
            .filter_map(|i| i.uin())
            .filter_map(|u| tamwin_domain::NationalId::parse(u).ok())
            .map(|n| n.as_str().to_string())
            .collect();
        let on_file: std::collections::HashMap<String, CivilPerson> = self
            .store
            .civil_persons(&ids)
            .await
            .map_err(|_| CrvsError::Unavailable)?
            .into_iter()
            .map(|p| (p.national_id.clone(), p))
            .collect();
        let mut out = Vec::with_capacity(req.search_request.len());
        for item in &req.search_request {
            let now = (self.now)().to_string();
            let rjct = |code: &str, msg: &str| crvs::SearchResult {
                reference_id: item.reference_id.clone(),
                timestamp: now.clone(),
                status: "rjct".into(),
                status_reason_code: Some(code.into()),
                status_reason_message: Some(msg.into()),
                data: None,
            };
            let Some(uin) = item.uin() else {
                out.push(rjct(
                    "rjct.search_criteria.invalid",
                    "only idtype-value queries by UIN are answered",
                ));
                continue;
            };
            let Ok(nid) = tamwin_domain::NationalId::parse(uin) else {
                out.push(rjct(
                    "rjct.search_criteria.invalid",
                    "not a valid national ID",
                ));
                continue;
            };
            let found = on_file.get(nid.as_str());
            out.push(crvs::SearchResult {
                reference_id: item.reference_id.clone(),
                timestamp: now.clone(),
                status: "succ".into(),
                status_reason_code: None,
                status_reason_message: None,
                data: Some(crvs::Records {
                    version: crvs::VERSION.into(),
                    reg_type: crvs::REG_TYPE.into(),
                    reg_record_type: crvs::RECORD_TYPE.into(),
                    reg_records: found.map(|p| person_record(p, None)).into_iter().collect(),
                }),
            });
        }
        Ok(crvs::SearchResponse {
            transaction_id: req.transaction_id.clone(),
            correlation_id: correlation_id.into(),
            search_response: out,
        })
    }
}

pub(super) async fn search(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
    let now = (s.now)();
    match s.accept::<crvs::SearchRequest>(&body, "search").await {
        Ok((_, m)) if m.search_request.len() > crvs::MAX_BATCH || m.search_request.is_empty() => {
            ack_response(&Ack::err(now, "", CrvsError::Bad), 400)
        }
        Ok((o, m)) => match s.acknowledge(&o, "search", &m.transaction_id, &m).await {
            Ok(c) => ack_response(&Ack::accepted(now, &c), 202),
            Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
        },
        Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
    }
}

pub(super) async fn sync_search(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
    let now = (s.now)();
    let answer = async {
        let (o, m) = s.accept::<crvs::SearchRequest>(&body, "search").await?;
        if m.search_request.len() > crvs::MAX_BATCH || m.search_request.is_empty() {
            return Err(CrvsError::Bad);
        }
        let r = s.search_results(&m, &id()).await?;
        s.sealed(
            "on-search",
            &o.header.sender_id,
            r.search_response.len(),
            &r,
        )
    }
    .await;
    match answer {
        Ok(body) => json_response(200, body),
        Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
    }
}
