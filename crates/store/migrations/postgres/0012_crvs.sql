-- Vital events by subscription, SPDCI CRVS API v1.0.0 (issue 4). The registry side (the reference civil
-- registry): the events it records, its subscribers, its asynchronous transactions and the callbacks it
-- owes; the ration side: the subscriptions it holds.

CREATE TABLE civil_events (
    event_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('death', 'birth', 'exit', 'entry')),
    national_id TEXT NOT NULL,
    event_date TEXT NOT NULL,
    -- JSON: the CRVS Person as notified.
    details TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX civil_events_by_person ON civil_events (national_id, event_date);

CREATE TABLE crvs_subscriptions (
    code TEXT PRIMARY KEY,
    -- The subscriber's client id (IQ/GOV/MOT/tamwin) and where its notifications go.
    subscriber TEXT NOT NULL,
    notify_uri TEXT NOT NULL,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('subscribe', 'unsubscribe')),
    created_at TEXT NOT NULL
);
CREATE INDEX crvs_subscriptions_by_event ON crvs_subscriptions (event_type, status);

CREATE TABLE crvs_transactions (
    correlation_id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    txn_type TEXT NOT NULL CHECK (txn_type IN ('search', 'subscribe', 'unsubscribe')),
    status TEXT NOT NULL CHECK (status IN ('rcvd', 'pdng', 'succ', 'rjct')),
    -- JSON of the request's message, and where the result goes.
    request TEXT NOT NULL,
    callback_uri TEXT NOT NULL,
    response TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (sender, transaction_id, txn_type)
);
CREATE INDEX crvs_transactions_pending ON crvs_transactions (status, created_at);

-- Callbacks owed (on-search, on-subscribe, notify, ...), signed when queued; retried until acknowledged.
CREATE TABLE crvs_deliveries (
    delivery_id TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT,
    delivered_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX crvs_deliveries_due ON crvs_deliveries (delivered_at, next_attempt_at);

-- The ration side: subscriptions the registry confirmed (on-subscribe).
CREATE TABLE crvs_client_subscriptions (
    code TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL,
    confirmed_at TEXT NOT NULL
);
