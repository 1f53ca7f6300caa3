//! The fee of a power of attorney (issue 17 point 3) on both backends, against a provider in memory: a
//! grant takes effect only once the provider's own status says paid for exactly the fee; callbacks
//! are checked by signature and time, never acted on twice, and only prompt the status check; a
//! differing amount, a payment for another grant and a failure change nothing; a grant revoked while
//! its payment was under way is refunded; a lost callback is made up for by the job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::advance;
use crate::common::booking::{code, nid};
use crate::proxies::{PROXY, SECOND, Setup, code_to, input, setup_with};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tamwin_app::Clock as _;
use tamwin_app::payments::webhook::sign;
use tamwin_app::payments::{
    PaymentOutcome, PaymentProvider, StartPayment, Started, WebhookHeaders,
};
use tamwin_store::ProviderAnswer;

const SECRET: &[u8] = b"whsec-sandbox";

/// A provider in memory: what it was asked to collect, and what it says of each payment.
#[derive(Default)]
struct Fake {
    payments: Mutex<HashMap<String, (String, ProviderAnswer)>>,
    refunds: Mutex<Vec<String>>,
    fail_refunds: std::sync::atomic::AtomicBool,
}

impl Fake {
    fn set(&self, reference: &str, status: &str, amount_delta: i64) {
        let mut ps = self.payments.lock().unwrap();
        let p = ps.get_mut(reference).unwrap();
        p.1.status = status.into();
        p.1.amount += amount_delta;
    }
}

#[async_trait::async_trait]
impl PaymentProvider for Fake {
    fn name(&self) -> &str {
        "fake"
    }
    fn webhook_secret(&self) -> &[u8] {
        SECRET
    }
    async fn start(&self, p: &StartPayment) -> Result<Started, String> {
        let reference = format!("fp-{}", p.order_id);
        let answer = ProviderAnswer {
            status: "pending".into(),
            amount: p.amount,
            currency: p.currency.clone(),
        };
        self.payments
            .lock()
            .unwrap()
            .insert(reference.clone(), (p.order_id.clone(), answer));
        Ok(Started {
            redirect_url: format!("https://pay.example/{reference}"),
            provider_ref: reference,
        })
    }
    async fn status(&self, reference: &str) -> Result<ProviderAnswer, String> {
        self.payments
            .lock()
            .unwrap()
            .get(reference)
            .map(|p| p.1.clone())
            .ok_or_else(|| "unknown".into())
    }
    async fn refund(&self, reference: &str, _amount: i64) -> Result<(), String> {
        if self.fail_refunds.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("refunds are down".into());
        }
        self.refunds.lock().unwrap().push(reference.into());
        Ok(())
    }
}

/// A callback as the provider sends it: signed, at `at` (Unix seconds).
fn callback(id: &str, reference: &str, order: &str, at: i64) -> (WebhookHeaders, Vec<u8>) {
    let body = serde_json::json!({"type": "payment.updated", "data": {"payment_id": reference, "order_id": order}}).to_string().into_bytes();
    (
        WebhookHeaders {
            id: id.into(),
            timestamp: at.to_string(),
            signature: sign(SECRET, id, at, &body),
        },
        body,
    )
}

/// A grant of household `i` to `proxy`, confirmed by both sides.
async fn confirmed(s: &Setup, i: usize, seed: u64, proxy: u64, proxy_phone: &str) -> String {
    let head = &s.heads[i];
    let g = s
        .reg
        .grant_proxy(
            &input(
                &nid(proxy),
                if proxy == PROXY {
                    "1975-01-01"
                } else {
                    "1979-01-01"
                },
                "2026-11-21",
                "2027-05-20",
            ),
            head,
        )
        .await
        .unwrap()
        .grant;
    s.reg
        .confirm_grant(
            &g.grant_id,
            &code_to(&s.store, &format!("+96478011{seed:02}{i}000")).await,
            head,
        )
        .await
        .unwrap();
    s.reg
        .answer_grant(&nid(proxy), &code_to(&s.store, proxy_phone).await, true)
        .await
        .unwrap();
    g.grant_id
}

async fn status_of(s: &Setup, grant: &str) -> String {
    s.store
        .grant(grant)
        .await
        .unwrap()
        .unwrap()
        .status
        .code()
        .to_string()
}

tamwin_store::backend_tests! {
    async fn a_grant_takes_effect_only_once_the_providers_own_status_says_paid((backend, store) in backends) {
        let fake = Arc::new(Fake::default());
        let s = setup_with(store.clone(), 3, 11, Some(fake.clone())).await;
        let head = &s.heads[0];
        let grant = confirmed(&s, 0, 11, PROXY, "+9647802220001").await;
        let p = s.reg.pay_grant(&grant, "https://tamwin.example/citizen", head).await.unwrap();
        assert_eq!((p.status.as_str(), p.amount, p.currency.as_str()), ("pending", 5_000_000, "IQD"), "{backend}");
        let reference = format!("fp-{}", p.payment_id);
        assert_eq!(p.redirect_url.as_deref(), Some(format!("https://pay.example/{reference}").as_str()), "{backend}");
        // Asking again shows the same payment, not a second one.
        assert_eq!(s.reg.pay_grant(&grant, "x", head).await.unwrap().payment_id, p.payment_id, "{backend}");
        let now = s.clock.now().as_second();
        // A callback before the provider says paid settles nothing.
        let (h, b) = callback("msg-1", &reference, &p.payment_id, now);
        assert_eq!(s.reg.payment_callback(&h, &b).await.unwrap(), PaymentOutcome::Pending, "{backend}");
        assert_eq!(status_of(&s, &grant).await, "awaiting_payment", "{backend}");
        // Forged, stale: refused.
        let (mut forged, fb) = callback("msg-2", &reference, &p.payment_id, now);
        forged.signature = sign(b"not-the-secret", "msg-2", now, &fb);
        assert_eq!(code(s.reg.payment_callback(&forged, &fb).await.unwrap_err()), "unauthenticated", "{backend}");
        let (stale, sb) = callback("msg-3", &reference, &p.payment_id, now - 301);
        assert_eq!(code(s.reg.payment_callback(&stale, &sb).await.unwrap_err()), "unauthenticated", "{backend}");
        // Paid: the next callback makes the grant take effect; the same one again is not acted on;
        // another one later finds it settled.
        fake.set(&reference, "paid", 0);
        let (h, b) = callback("msg-4", &reference, &p.payment_id, now);
        assert_eq!(s.reg.payment_callback(&h, &b).await.unwrap(), PaymentOutcome::Activated, "{backend}");
        assert_eq!(s.reg.payment_callback(&h, &b).await.unwrap(), PaymentOutcome::Duplicate, "{backend}");
        let (h, b) = callback("msg-5", &reference, &p.payment_id, now);
        assert_eq!(s.reg.payment_callback(&h, &b).await.unwrap(), PaymentOutcome::Already, "{backend}");
        assert_eq!(status_of(&s, &grant).await, "active", "{backend}");
        let stored = s.store.grant(&grant).await.unwrap().unwrap();
        assert_eq!(stored.payment_id.as_deref(), Some(p.payment_id.as_str()), "{backend}");
        assert_eq!(code(s.reg.pay_grant(&grant, "x", head).await.unwrap_err()), "grant_not_awaiting_payment", "{backend}");
        let audit = s.store.household_audit(&head.citizen_household().unwrap(), &["payment.started", "payment.paid", "grant.activated"], 10).await.unwrap();
        assert_eq!(audit.len(), 3, "{backend}");
    }

    async fn a_payment_for_another_grant_a_differing_amount_and_a_failure_change_nothing((backend, store) in backends) {
        let fake = Arc::new(Fake::default());
        let s = setup_with(store.clone(), 3, 12, Some(fake.clone())).await;
        let a = confirmed(&s, 0, 12, PROXY, "+9647802220001").await;
        let b = confirmed(&s, 1, 12, SECOND, "+9647802220002").await;
        let pa = s.reg.pay_grant(&a, "x", &s.heads[0]).await.unwrap();
        let pb = s.reg.pay_grant(&b, "x", &s.heads[1]).await.unwrap();
        let (ra, rb) = (format!("fp-{}", pa.payment_id), format!("fp-{}", pb.payment_id));
        let now = s.clock.now().as_second();
        fake.set(&ra, "paid", 0);
        // A's payment under B's order id.
        let (h, body) = callback("m-1", &ra, &pb.payment_id, now);
        assert_eq!(code(s.reg.payment_callback(&h, &body).await.unwrap_err()), "payment_unknown", "{backend}");
        // The provider says paid, a fils short.
        fake.set(&rb, "paid", -1);
        let (h, body) = callback("m-2", &rb, &pb.payment_id, now);
        assert_eq!(code(s.reg.payment_callback(&h, &body).await.unwrap_err()), "payment_amount_differs", "{backend}");
        assert_eq!(status_of(&s, &b).await, "awaiting_payment", "{backend}: nothing changed");
        assert_eq!(s.store.payment(&pb.payment_id).await.unwrap().unwrap().status.code(), "pending", "{backend}");
        // Failed: the head may pay again, a new payment.
        fake.set(&rb, "failed", 1);
        let (h, body) = callback("m-3", &rb, &pb.payment_id, now);
        assert_eq!(s.reg.payment_callback(&h, &body).await.unwrap(), PaymentOutcome::Failed, "{backend}");
        let again = s.reg.pay_grant(&b, "x", &s.heads[1]).await.unwrap();
        assert_ne!(again.payment_id, pb.payment_id, "{backend}");
        assert_eq!(s.reg.grant_payments(&b, &s.heads[1]).await.unwrap().len(), 2, "{backend}");
        assert_eq!(status_of(&s, &a).await, "awaiting_payment", "{backend}: A's callback was refused");
    }

    async fn a_grant_revoked_while_its_payment_was_under_way_is_refunded_and_a_lost_callback_made_up_for((backend, store) in backends) {
        let fake = Arc::new(Fake::default());
        let s = setup_with(store.clone(), 3, 13, Some(fake.clone())).await;
        let a = confirmed(&s, 0, 13, PROXY, "+9647802220001").await;
        let pa = s.reg.pay_grant(&a, "x", &s.heads[0]).await.unwrap();
        let ra = format!("fp-{}", pa.payment_id);
        s.reg.revoke_grant(&a, "changed my mind", &s.heads[0]).await.unwrap();
        fake.set(&ra, "paid", 0);
        let (h, body) = callback("r-1", &ra, &pa.payment_id, s.clock.now().as_second());
        assert_eq!(s.reg.payment_callback(&h, &body).await.unwrap(), PaymentOutcome::Refunded, "{backend}");
        assert_eq!(fake.refunds.lock().unwrap().clone(), vec![ra.clone()], "{backend}");
        assert_eq!(s.store.payment(&pa.payment_id).await.unwrap().unwrap().status.code(), "refunded", "{backend}");
        assert_eq!(status_of(&s, &a).await, "revoked", "{backend}");
        // No callback at all: the job asks the provider once the payment has waited two minutes.
        let b = confirmed(&s, 1, 13, SECOND, "+9647802220002").await;
        let pb = s.reg.pay_grant(&b, "x", &s.heads[1]).await.unwrap();
        fake.set(&format!("fp-{}", pb.payment_id), "paid", 0);
        assert_eq!(s.reg.check_pending_payments().await.unwrap(), 0, "{backend}: not yet");
        advance(&s.clock, 3);
        assert_eq!(s.reg.check_pending_payments().await.unwrap(), 1, "{backend}");
        assert_eq!(status_of(&s, &b).await, "active", "{backend}");
    }

    async fn two_callbacks_at_the_same_instant_make_the_grant_take_effect_once((backend, store) in backends) {
        let fake = Arc::new(Fake::default());
        let s = setup_with(store.clone(), 3, 14, Some(fake.clone())).await;
        let a = confirmed(&s, 0, 14, PROXY, "+9647802220001").await;
        let p = s.reg.pay_grant(&a, "x", &s.heads[0]).await.unwrap();
        let reference = format!("fp-{}", p.payment_id);
        fake.set(&reference, "paid", 0);
        let now = s.clock.now().as_second();
        let mut tasks = vec![];
        for id in ["c-1", "c-2", "c-3"] {
            let (reg, (h, body)) = (s.reg.clone(), callback(id, &reference, &p.payment_id, now));
            tasks.push(tokio::spawn(async move { reg.payment_callback(&h, &body).await }));
        }
        let mut outcomes = vec![];
        for t in tasks {
            outcomes.push(t.await.unwrap().unwrap());
        }
        let activated = outcomes.iter().filter(|o| **o == PaymentOutcome::Activated).count();
        assert_eq!(activated, 1, "{backend}: {outcomes:?}");
        assert!(outcomes.iter().all(|o| matches!(o, PaymentOutcome::Activated | PaymentOutcome::Already)), "{backend}");
        let audit = s.store.household_audit(&s.heads[0].citizen_household().unwrap(), &["grant.activated"], 10).await.unwrap();
        assert_eq!(audit.len(), 1, "{backend}");
    }

    async fn the_sandbox_provider_plays_a_whole_payment_over_http_misbehaving_as_providers_do((backend, store) in backends) {
        use tamwin_paysandbox::{Behaviour, Sandbox, serve};
        let sandbox = Sandbox::new("merchant-key", b"whsec-sandbox-1");
        sandbox.set_behaviour(Behaviour { duplicate: true, out_of_order: true, delay_ms: 10, ..Default::default() });
        let base = serve(sandbox.clone(), "127.0.0.1:0").await.unwrap();
        // The merchant's callback route, as the web layer serves it.
        let cell: Arc<std::sync::OnceLock<Arc<tamwin_app::Registry>>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let callback_url = format!("http://{}/cb", listener.local_addr().unwrap());
        let c2 = cell.clone();
        let app = axum::Router::new().route("/cb", axum::routing::post(move |h: axum::http::HeaderMap, body: axum::body::Bytes| {
            let c = c2.clone();
            async move {
                let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                let wh = WebhookHeaders { id: get("webhook-id"), timestamp: get("webhook-timestamp"), signature: get("webhook-signature") };
                match c.get().unwrap().payment_callback(&wh, &body).await {
                    Ok(_) => axum::http::StatusCode::OK,
                    Err(_) => axum::http::StatusCode::CONFLICT,
                }
            }
        }));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let provider = tamwin_app::payments::HttpProvider {
            name: "sandbox".into(),
            transport: tamwin_app::http_transport::HttpTransport { base: base.clone() },
            api_key: "merchant-key".into(),
            webhook_secret: b"whsec-sandbox-1".to_vec(),
            callback_url,
            public_base: "http://tamwin.test".into(),
        };
        let s = setup_with(store.clone(), 3, 15, Some(Arc::new(provider))).await;
        // The sandbox signs with the real clock: the registry's must agree within five minutes.
        *s.clock.0.lock().unwrap() = jiff::Timestamp::now();
        cell.set(s.reg.clone()).ok();
        let today = s.clock.today().to_string();
        let head = &s.heads[0];
        let g = s.reg.grant_proxy(&input(&nid(PROXY), "1975-01-01", &today, &today), head).await.unwrap().grant;
        s.reg.confirm_grant(&g.grant_id, &code_to(&s.store, "+96478011150000").await, head).await.unwrap();
        s.reg.answer_grant(&nid(PROXY), &code_to(&s.store, "+9647802220001").await, true).await.unwrap();
        let p = s.reg.pay_grant(&g.grant_id, "/citizen#proxies", head).await.unwrap();
        let page = p.redirect_url.clone().unwrap();
        assert!(page.starts_with(&format!("{base}/pay/sbx_")), "{backend}: {page}");
        // The citizen pays on the provider's page, which sends them back to their own.
        use tamwin_hub::HubTransport as _;
        let t = tamwin_app::http_transport::HttpTransport { base: String::new() };
        let (status, headers, _) = t.post(&page, vec![("content-type", "application/x-www-form-urlencoded".into())], b"outcome=paid".to_vec()).await.unwrap();
        assert_eq!(status, 303, "{backend}");
        assert!(headers.iter().any(|(k, v)| k == "location" && v == "http://tamwin.test/citizen#proxies"), "{backend}: {headers:?}");
        // The callback, its duplicate and a stale "pending" after it: the grant takes effect once.
        for _ in 0..100 {
            if sandbox.callbacks_sent() >= 3 { break }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(sandbox.callbacks_sent(), 3, "{backend}");
        assert_eq!(status_of(&s, &g.grant_id).await, "active", "{backend}");
        let audit = s.store.household_audit(&head.citizen_household().unwrap(), &["grant.activated"], 10).await.unwrap();
        assert_eq!(audit.len(), 1, "{backend}");
        // A provider that will not start a payment: refused, and the payment is not left under way.
        sandbox.set_behaviour(Behaviour { fail_start: true, ..Default::default() });
        let g2 = s.reg.grant_proxy(&input(&nid(SECOND), "1979-01-01", &today, &today), &s.heads[1]).await.unwrap().grant;
        s.reg.confirm_grant(&g2.grant_id, &code_to(&s.store, "+96478011151000").await, &s.heads[1]).await.unwrap();
        s.reg.answer_grant(&nid(SECOND), &code_to(&s.store, "+9647802220002").await, true).await.unwrap();
        let e = s.reg.pay_grant(&g2.grant_id, "/citizen", &s.heads[1]).await.unwrap_err();
        assert_eq!(code(e), "payment_provider_unavailable", "{backend}");
        // Callbacks lost: the job asks the provider and settles it.
        sandbox.set_behaviour(Behaviour { drop_callbacks: true, ..Default::default() });
        let p2 = s.reg.pay_grant(&g2.grant_id, "/citizen", &s.heads[1]).await.unwrap();
        let reference = p2.redirect_url.unwrap().rsplit('/').next().unwrap().to_string();
        assert!(sandbox.settle(&reference, true), "{backend}");
        advance(&s.clock, 3);
        assert_eq!(s.reg.check_pending_payments().await.unwrap(), 1, "{backend}");
        assert_eq!(status_of(&s, &g2.grant_id).await, "active", "{backend}");
    }

    async fn the_daily_reconciliation_lists_payments_and_grants_that_do_not_agree((backend, store) in backends) {
        use tamwin_domain::access::{Area, Role};
        let fake = Arc::new(Fake::default());
        let s = setup_with(store.clone(), 3, 16, Some(fake.clone())).await;
        // Paid, the grant revoked meanwhile, and the refund failed: paid and not granted.
        let a = confirmed(&s, 0, 16, PROXY, "+9647802220001").await;
        let pa = s.reg.pay_grant(&a, "x", &s.heads[0]).await.unwrap();
        s.reg.revoke_grant(&a, "", &s.heads[0]).await.unwrap();
        fake.set(&format!("fp-{}", pa.payment_id), "paid", 0);
        fake.fail_refunds.store(true, std::sync::atomic::Ordering::SeqCst);
        let (h, body) = callback("k-1", &format!("fp-{}", pa.payment_id), &pa.payment_id, s.clock.now().as_second());
        assert_eq!(code(s.reg.payment_callback(&h, &body).await.unwrap_err()), "payment_provider_unavailable", "{backend}");
        // In effect with no paid payment behind it (written around the payment port).
        let b = confirmed(&s, 1, 16, SECOND, "+9647802220002").await;
        let hb = s.heads[1].citizen_household().unwrap();
        let log = tamwin_store::ChangeLog {
            change_id: "x-1".into(), at: s.clock.now(), actor: "t".into(), role: "system".into(), area: "nation".into(),
            kind: "grant.activated", member_id: None, reason: None, details: serde_json::json!({}), channel: "api",
        };
        assert!(s.store.activate_grant(&hb, &b, "no-such-payment", s.clock.now(), &log).await.unwrap(), "{backend}");
        // Paid, but another amount than the grant's fee (a payment written around the port).
        let c = confirmed(&s, 2, 16, PROXY, "+9647802220001").await;
        let hc = s.heads[2].citizen_household().unwrap();
        let odd = tamwin_store::Payment {
            household_id: hc.clone(), payment_id: "odd-1".into(), grant_id: c.clone(), provider: "fake".into(),
            provider_ref: Some("odd-ref".into()), redirect_url: None, amount: 4_999_000, currency: "IQD".into(),
            status: tamwin_domain::payment::PaymentStatus::Pending, created_at: s.clock.now(), settled_at: None,
            provider_status: None, provider_amount: None, provider_currency: None, refunded_at: None,
        };
        assert!(s.store.create_payment(&odd, &log).await.unwrap(), "{backend}");
        let answer = ProviderAnswer { status: "paid".into(), amount: 4_999_000, currency: "IQD".into() };
        let settled = s.store.settle_payment("odd-1", &answer, s.clock.now(), &[&log]).await.unwrap();
        assert_eq!(settled, tamwin_store::Settled::Activated, "{backend}");
        let auditor = tamwin_app::Actor::staff("aud", "auditor", Role::Auditor, Area::Governorate("11".into()), "api");
        let r = s.reg.payments_reconciliation(s.clock.today(), &auditor).await.unwrap();
        let kinds: Vec<(&str, &str)> = r.lines.iter().map(|l| (l.kind.as_str(), l.grant_id.as_str())).collect();
        assert!(kinds.contains(&("paid_not_granted", a.as_str())), "{backend}: {kinds:?}");
        assert!(kinds.contains(&("granted_not_paid", b.as_str())), "{backend}: {kinds:?}");
        assert!(kinds.contains(&("amount_differs", c.as_str())), "{backend}: {kinds:?}");
        assert_eq!(r.lines.len(), 3, "{backend}: {kinds:?}");
        let reads = s.store.household_audit(&s.heads[0].citizen_household().unwrap(), &["payments.reconciled"], 5).await.unwrap();
        assert_eq!(reads.len(), 1, "{backend}: the read audited");
        // Another governorate's auditor sees none of it; a supervisor may not read it.
        let other = tamwin_app::Actor::staff("aud2", "auditor", Role::Auditor, Area::Governorate("21".into()), "api");
        assert!(s.reg.payments_reconciliation(s.clock.today(), &other).await.unwrap().lines.is_empty(), "{backend}");
        let sup = tamwin_app::Actor::staff("s", "sup", Role::GovernorateSupervisor, Area::Governorate("11".into()), "api");
        assert_eq!(code(s.reg.payments_reconciliation(s.clock.today(), &sup).await.unwrap_err()), "forbidden", "{backend}");
    }
}
