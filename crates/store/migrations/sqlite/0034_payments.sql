-- The fee of a power of attorney, paid through a payment provider (issue 17 point 3; docs/proxies.md,
-- "The fee"). Mirrored in postgres/0034_payments.sql. A payment is pending until the provider's own status
-- check says paid or failed; the callbacks received are kept by their id, so that a replayed one is
-- never acted on twice.
CREATE TABLE payments (
    household_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    -- The provider's id of the payment, once started.
    provider_ref TEXT,
    redirect_url TEXT,
    -- In the smallest money unit.
    amount INTEGER NOT NULL CHECK (amount >= 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'refunded')),
    created_at TEXT NOT NULL,
    settled_at TEXT,
    -- What the provider's status check answered when the payment was settled.
    provider_status TEXT,
    provider_amount INTEGER,
    provider_currency TEXT,
    refunded_at TEXT,
    PRIMARY KEY (household_id, payment_id),
    FOREIGN KEY (household_id, grant_id) REFERENCES proxy_grants (household_id, grant_id),
    CONSTRAINT payments_settled CHECK ((status = 'pending') = (settled_at IS NULL)),
    -- Paid means the provider said paid for exactly what was asked.
    CONSTRAINT payments_paid_exactly CHECK (status NOT IN ('paid', 'refunded') OR (provider_status = 'paid' AND provider_amount = amount AND provider_currency = currency))
);
CREATE UNIQUE INDEX payments_by_id ON payments (payment_id);
CREATE UNIQUE INDEX payments_by_ref ON payments (provider, provider_ref);
-- One payment under way for a grant, and a grant paid once.
CREATE UNIQUE INDEX payments_one_pending ON payments (household_id, grant_id) WHERE status = 'pending';
CREATE UNIQUE INDEX payments_one_paid ON payments (household_id, grant_id) WHERE status IN ('paid', 'refunded');
CREATE INDEX payments_by_day ON payments (created_at);
CREATE TABLE payment_callbacks (
    provider TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    PRIMARY KEY (provider, webhook_id)
);
