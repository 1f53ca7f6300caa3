//! Transaction status: a request acknowledged with a correlation id and answered in one of the
//! specification's `txn_status` shapes, checked against its required fields and enums.

use super::*;

/// Checks `v` against the required fields and enums of the specification's `txn_status` shapes
/// (`TxnStatusResponse.txnstatus_response.txn_status`: oneOf the search-response example,
/// `SubscribeResponse`, `UnSubscribeResponse`) and returns the one it matches; panics unless exactly one.
fn txn_status_shape(v: &Value) -> &'static str {
    const STATUS: [&str; 4] = ["rcvd", "pdng", "succ", "rjct"];
    let has =
        |o: &Value, keys: &[&str]| keys.iter().all(|k| o.get(k).is_some_and(|x| !x.is_null()));
    let id_ok = |o: &Value, k: &str| {
        o[k].as_str()
            .is_some_and(|s| !s.is_empty() && s.chars().count() <= 99)
    };
    let items_ok = |list: &str, codes: &[&str]| {
        v[list].as_array().is_some_and(|a| {
            a.iter().all(|i| {
                has(i, &["reference_id", "timestamp", "status"])
                    && STATUS.contains(&i["status"].as_str().unwrap_or(""))
                    && tamwin_hub::crvs_formats::is_date_time(i["timestamp"].as_str().unwrap())
                    && i.get("status_reason_code")
                        .is_none_or(|c| codes.contains(&c.as_str().unwrap_or("")))
            })
        })
    };
    let ids = id_ok(v, "transaction_id") && id_ok(v, "correlation_id");
    // SearchStatusReasonCode and the subscribe reason codes of the specification.
    let search_codes = [
        "rjct.reference_id.invalid",
        "rjct.reference_id.duplicate",
        "rjct.timestamp.invalid",
        "rjct.search_criteria.invalid",
        "rjct.filter.invalid",
        "rjct.sort.invalid",
        "rjct.pagination.invalid",
        "rjct.search.too_many_records_found",
    ];
    let subscribe_codes = [
        "rjct.reference_id.invalid",
        "rjct.reference_id.duplicate",
        "rjct.timestamp.invalid",
        "rjct.notify_types.invalid",
        "rjct.event.already_subscribed",
    ];
    let unsubscribe_codes = [
        "rjct.reference_id.invalid",
        "rjct.reference_id.duplicate",
        "rjct.timestamp.invalid",
        "rjct.subscription_code.invalid",
        "rjct.requester.invalid",
        "rjct.event.already_unsubscribed",
    ];
    let mut shapes = Vec::new();
    if ids && has(v, &["search_response"]) && items_ok("search_response", &search_codes) {
        shapes.push("search");
    }
    if ids && has(v, &["subscribe_response"]) && items_ok("subscribe_response", &subscribe_codes) {
        shapes.push("subscribe");
    }
    if ids
        && has(v, &["timestamp", "status"])
        && STATUS.contains(&v["status"].as_str().unwrap_or(""))
        && v.get("status_reason_code")
            .is_none_or(|c| unsubscribe_codes.contains(&c.as_str().unwrap_or("")))
        && !has(v, &["search_response"])
        && !has(v, &["subscribe_response"])
        && v["subscription_status"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|i| {
                has(i, &["code", "status"])
                    && ["subscribe", "unsubscribe"].contains(&i["status"].as_str().unwrap_or(""))
            })
    {
        shapes.push("unsubscribe");
    }
    assert_eq!(shapes.len(), 1, "txn_status {v} matches {shapes:?}");
    shapes[0]
}

tamwin_store::backend_tests! {
    async fn transaction_status_answers_in_the_specification_shapes_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, clock, transport, server) = wired_with_server(store.clone()).await;
        let hub = reg.hub_client().unwrap();
        let rec = Recorder::default();
        let now = clock.now().to_string();
        let seal = |id: &str, action: &str, m: &Value| {
            crvs::seal(
                &hub.key,
                &hub.key_id,
                &crvs::header(action, id, clock.now(), CLIENT, 1),
                m,
            )
            .unwrap()
        };

        // Asynchronous status of a transaction never sent: acknowledged with a correlation id, and
        // answered with the search shape, rjct with rjct.reference_id.invalid.
        let (s, ack) = post(
            &transport,
            "/registry/txn/status",
            seal(
                "m-s1",
                "txn-status",
                &status_message("t-s1", "search", "transaction_id", "no-such"),
            ),
        )
        .await;
        assert_eq!(s, 202, "{backend}: {ack}");
        let correlation = ack["message"]["correlation_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!correlation.is_empty(), "{backend}: empty correlation_id");
        server.deliver_due(&rec, 10).await.unwrap();
        let seen = rec.take();
        assert_eq!(seen[0].0, "/crvs/registry/txn/on-status", "{backend}");
        let r = &seen[0].1["message"];
        assert_eq!(r["correlation_id"], correlation.as_str(), "{backend}");
        let st = &r["txnstatus_response"]["txn_status"];
        assert_eq!(txn_status_shape(st), "search", "{backend}");
        assert_eq!(st["search_response"][0]["status"], "rjct", "{backend}");
        assert_eq!(
            st["search_response"][0]["status_reason_code"],
            "rjct.reference_id.invalid"
        );
        assert_eq!(st["transaction_id"], "no-such", "{backend}");

        // The same, synchronously, for each type: the shape of its type.
        for (i, (ty, shape)) in [
            ("search", "search"),
            ("subscribe", "subscribe"),
            ("unsubscribe", "unsubscribe"),
        ]
        .into_iter()
        .enumerate()
        {
            let (s, v) = post(
                &transport,
                "/registry/sync/txn/status",
                seal(
                    &format!("m-u{i}"),
                    "txn-status",
                    &status_message("t-u", ty, "correlation_id", "nope"),
                ),
            )
            .await;
            assert_eq!(s, 200, "{backend}: {v}");
            let m = &v["message"];
            assert!(
                !m["correlation_id"].as_str().unwrap().is_empty(),
                "{backend}: {ty}"
            );
            assert_eq!(
                txn_status_shape(&m["txnstatus_response"]["txn_status"]),
                shape,
                "{backend}: {ty}"
            );
        }

        // A pending search: its items pdng, in the search shape; once done, the response itself.
        let mut h = crvs::header("search", "m-p", clock.now(), CLIENT, 1);
        h.sender_uri = Some("/crvs/registry/on-search".into());
        let search = serde_json::to_value(search_message("t-p", &now)).unwrap();
        let (_, ack) = post(
            &transport,
            "/registry/search",
            crvs::seal(&hub.key, &hub.key_id, &h, &search).unwrap(),
        )
        .await;
        let c = ack["message"]["correlation_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, v) = post(
            &transport,
            "/registry/sync/txn/status",
            seal(
                "m-p1",
                "txn-status",
                &status_message("t-p1", "search", "correlation_id", &c),
            ),
        )
        .await;
        let st = &v["message"]["txnstatus_response"]["txn_status"];
        assert_eq!(txn_status_shape(st), "search", "{backend}");
        assert_eq!(st["search_response"][0]["status"], "pdng", "{backend}");
        assert_eq!(st["search_response"][0]["reference_id"], "r1", "{backend}");
        assert_eq!(v["message"]["correlation_id"], c.as_str());
        server.process_pending(10).await.unwrap();
        let (_, v) = post(
            &transport,
            "/registry/sync/txn/status",
            seal(
                "m-p2",
                "txn-status",
                &status_message("t-p2", "search", "transaction_id", "t-p"),
            ),
        )
        .await;
        let st = &v["message"]["txnstatus_response"]["txn_status"];
        assert_eq!(txn_status_shape(st), "search", "{backend}");
        assert_eq!(st["search_response"][0]["status"], "succ", "{backend}");
        // A pending subscription and unsubscription: their shapes.
        let sub = json!({"transaction_id": "t-q", "subscribe_request": [{"reference_id": "s1", "timestamp": now,
            "subscribe_criteria": {"version": "1.0.0", "reg_type": crvs::REG_TYPE, "reg_event_type": crvs::EventType::Birth.code()}}]});
        post(
            &transport,
            "/registry/subscribe",
            seal("m-q", "subscribe", &sub),
        )
        .await;
        let uns =
            json!({"transaction_id": "t-r", "timestamp": now, "subscription_codes": ["sub-x"]});
        post(
            &transport,
            "/registry/unsubscribe",
            seal("m-r", "unsubscribe", &uns),
        )
        .await;
        for (i, (ty, tx)) in [("subscribe", "t-q"), ("unsubscribe", "t-r")]
            .into_iter()
            .enumerate()
        {
            let (_, v) = post(
                &transport,
                "/registry/sync/txn/status",
                seal(
                    &format!("m-q{i}"),
                    "txn-status",
                    &status_message("t-x", ty, "transaction_id", tx),
                ),
            )
            .await;
            let st = &v["message"]["txnstatus_response"]["txn_status"];
            assert_eq!(txn_status_shape(st), ty, "{backend}: {v}");
            let status = if ty == "subscribe" {
                &st["subscribe_response"][0]["status"]
            } else {
                &st["status"]
            };
            assert_eq!(status, "pdng", "{backend}: {ty}");
        }
        // Done: the unsubscription of a code never given is rjct, still in its shape.
        server.process_pending(10).await.unwrap();
        let (_, v) = post(
            &transport,
            "/registry/sync/txn/status",
            seal(
                "m-r2",
                "txn-status",
                &status_message("t-y", "unsubscribe", "transaction_id", "t-r"),
            ),
        )
        .await;
        let st = &v["message"]["txnstatus_response"]["txn_status"];
        assert_eq!(txn_status_shape(st), "unsubscribe", "{backend}: {v}");
        assert_eq!(
            st["status_reason_code"], "rjct.subscription_code.invalid",
            "{backend}"
        );
    }
}
