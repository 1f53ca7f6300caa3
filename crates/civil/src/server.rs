//! The hub as the reference registry serves it: every request's signature, time and nonce checked, the
//! service answered from the civil registry in the envelope, and the answer bound to the request hash and
//! signed with the hub's key. Runs in-process for the demo and the tests, or alone (`tamwin hub serve`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use ed25519_dalek::SigningKey;
use jiff::Timestamp;
use serde::Serialize;
use std::sync::Arc;
use tamwin_hub::services::{FingerprintQuery, IdentityQuery, NationalIdQuery, Service};
use tamwin_hub::signing::{self, SignedHeaders};
use tamwin_hub::{Envelope, HubErrorCode, KeyRing, MemberKey, ServiceId};
use tamwin_store::{CivilPerson, CivilStore};

pub struct HubServer {
    pub store: Arc<dyn CivilStore>,
    /// The hub's own key: it signs every answer.
    pub key: SigningKey,
    pub key_id: String,
    pub now: Arc<dyn Fn() -> Timestamp + Send + Sync>,
    /// Where CRVS callbacks may go: a request's `sender_uri` must start with one of these (an
    /// allowlist set when members are onboarded), so a member cannot point the registry's worker
    /// elsewhere in the network.
    pub callback_prefixes: Vec<String>,
    /// The callback base each onboarded client gets when a request names no `sender_uri` (the
    /// specification makes it optional, "configured on the gateway as part of onboarding"): (client id,
    /// base), the callbacks going to `<base>/registry/on-search`, `…/on-subscribe`, `…/notify`, ….
    pub default_callbacks: Vec<(String, String)>,
    /// The batched search's index of the run being searched (`search`).
    pub search: crate::search::Searcher,
}

/// Bodies the hub takes at most: a full search batch (`search::MAX_BATCH` queries) is about 2 MB.
pub const MAX_BODY: usize = 8 << 20;

pub fn router(s: Arc<HubServer>) -> Router {
    Router::new()
        .route("/r1/{*service}", axum::routing::post(handle))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(s.clone())
        .merge(crate::crvs::routes(s))
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

pub(crate) async fn ring(store: &dyn CivilStore) -> Result<KeyRing, HubErrorCode> {
    let keys = store.hub_keys().await.map_err(|e| {
        tracing::warn!("hub keys: {e}");
        HubErrorCode::Unavailable
    })?;
    Ok(KeyRing::new(
        keys.into_iter()
            .filter_map(|k| {
                let pk = tamwin_hub::unhex(&k.public_key)?;
                Some(MemberKey {
                    member: k.member,
                    key_id: k.key_id,
                    public_key: <[u8; 32]>::try_from(pk).ok()?,
                    valid_from: k.valid_from,
                    valid_until: k.valid_until,
                })
            })
            .collect(),
    ))
}

enum Answer {
    Ok(serde_json::Value),
    Err(HubErrorCode),
}

async fn person(store: &dyn CivilStore, national_id: &str) -> Result<CivilPerson, HubErrorCode> {
    let id =
        tamwin_domain::NationalId::parse(national_id).map_err(|_| HubErrorCode::InvalidInput)?;
    store
        .civil_person(id.as_str())
        .await
        .map_err(|_| HubErrorCode::Unavailable)?
        .ok_or(HubErrorCode::IdNotFound)
}

fn json<T: Serialize>(v: T) -> Answer {
    serde_json::to_value(v).map_or(Answer::Err(HubErrorCode::Internal), Answer::Ok)
}

async fn answer(
    s: &HubServer,
    client: &str,
    now: Timestamp,
    service: Service,
    body: &[u8],
) -> Answer {
    fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, HubErrorCode> {
        serde_json::from_slice(body).map_err(|_| HubErrorCode::InvalidInput)
    }
    let store = s.store.as_ref();
    let result = async {
        Ok::<Answer, HubErrorCode>(match service {
            Service::VerifyIdentity => {
                let q: IdentityQuery = parse(body)?;
                let p = person(store, &q.national_id).await?;
                json(crate::services::verify_identity(&p, &q)?)
            }
            Service::VerifyFingerprint => {
                let q: FingerprintQuery = parse(body)?;
                let p = person(store, &q.national_id).await?;
                json(crate::services::verify_fingerprint(&p, &q.template)?)
            }
            Service::LifeStatus => {
                let q: NationalIdQuery = parse(body)?;
                json(crate::services::life_status(
                    &person(store, &q.national_id).await?,
                ))
            }
            Service::CardStatus => {
                let q: NationalIdQuery = parse(body)?;
                json(crate::services::card_status(
                    &person(store, &q.national_id).await?,
                ))
            }
            Service::CardDelivery => {
                json(crate::cards::card_deliveries(store, &parse(body)?).await?)
            }
            Service::SendCode => {
                json(crate::codes::send_code(store, client, now, &parse(body)?).await?)
            }
            Service::VerifyCode => {
                json(crate::codes::verify_code(store, client, now, &parse(body)?).await?)
            }
            Service::SearchPersons => json(s.search.search(store, parse(body)?).await?),
            Service::VitalRecords => {
                json(crate::search::vital_records(store, &parse(body)?).await?)
            }
        })
    }
    .await;
    result.unwrap_or_else(Answer::Err)
}

async fn handle(
    State(s): State<Arc<HubServer>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = (s.now)();
    let target = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let h = SignedHeaders {
        client: header(&headers, signing::CLIENT_HEADER),
        key_id: header(&headers, signing::KEY_ID_HEADER),
        timestamp: header(&headers, signing::TIMESTAMP_HEADER),
        nonce: header(&headers, signing::NONCE_HEADER),
        content_sha256: header(&headers, signing::CONTENT_HEADER),
        signature: header(&headers, signing::SIGNATURE_HEADER),
    };
    let (request_hash, result) = match ring(s.store.as_ref()).await {
        Err(code) => (String::new(), Answer::Err(code)),
        Ok(ring) => {
            match signing::verify_request(&h, method.as_str(), &target, &body, &ring, now) {
                Err(code) => (String::new(), Answer::Err(code)),
                Ok(v) => {
                    let forget = now
                        .checked_sub(jiff::SignedDuration::from_secs(
                            2 * signing::MAX_SKEW_SECONDS,
                        ))
                        .unwrap_or(now);
                    let fresh = s
                        .store
                        .hub_use_nonce(&v.client.to_string(), &v.nonce, now, forget)
                        .await;
                    let result = match fresh {
                        Err(_) => Answer::Err(HubErrorCode::Unavailable),
                        Ok(false) => Answer::Err(HubErrorCode::ReplayedNonce),
                        Ok(true) => {
                            match ServiceId::from_path(&target).as_ref().and_then(Service::of) {
                                None => Answer::Err(HubErrorCode::UnknownService),
                                Some(service) => {
                                    answer(&s, &v.client.to_string(), now, service, &body).await
                                }
                            }
                        }
                    };
                    (v.request_hash, result)
                }
            }
        }
    };
    let txn = format!(
        "txn-{}",
        tamwin_hub::sha256_hex(format!("{request_hash}{now}").as_bytes())
            .get(..24)
            .unwrap_or("")
    );
    let (status, envelope) = match result {
        Answer::Ok(v) => (200, Envelope::ok(txn, now, request_hash.clone(), v)),
        Answer::Err(code) => (
            code.status(),
            Envelope::error(txn, now, request_hash.clone(), code),
        ),
    };
    let body = serde_json::to_vec(&envelope).unwrap_or_default();
    let signed = signing::sign_response(&s.key, &s.key_id, &request_hash, status, &body);
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    for (name, value) in [
        (signing::REQUEST_HASH_HEADER, signed.request_hash),
        (signing::KEY_ID_HEADER, signed.key_id),
        (signing::SIGNATURE_HEADER, signed.signature),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            r.headers_mut().insert(name, v);
        }
    }
    r
}
