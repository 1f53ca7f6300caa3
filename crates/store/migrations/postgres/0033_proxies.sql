-- Electronic powers of attorney (issue 17; docs/proxies.md). Mirrored in sqlite/0033_proxies.sql. The
-- head of a household names another adult to collect its ration, within a scope (programmes and items,
-- none listed: all) and a validity; both confirm with a one-time code the civil registry sends to their
-- own phones, kept as evidence; the grant takes effect when its fee is paid.
CREATE TABLE proxy_grants (
    household_id TEXT NOT NULL REFERENCES households (household_id),
    grant_id TEXT NOT NULL,
    proxy_national_id TEXT NOT NULL,
    -- The proxy's own household here, if they are on a card.
    proxy_household_id TEXT,
    -- JSON arrays of codes.
    programmes TEXT NOT NULL,
    items TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('elderly', 'sick', 'disabled', 'away_study', 'away_treatment', 'other')),
    reason_text TEXT,
    status TEXT NOT NULL CHECK (status IN ('confirming', 'awaiting_payment', 'active', 'declined', 'cancelled', 'revoked', 'given_up', 'expired')),
    -- In the country's smallest money unit.
    fee BIGINT NOT NULL CHECK (fee >= 0),
    currency TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- Each side's code: the registry's challenge, when it was confirmed, and the hub's request and
    -- response hashes of the check that matched.
    head_challenge TEXT,
    head_confirmed_at TEXT,
    head_evidence TEXT,
    proxy_challenge TEXT,
    proxy_confirmed_at TEXT,
    proxy_evidence TEXT,
    paid_at TEXT,
    payment_id TEXT,
    ended_at TEXT,
    ended_by TEXT,
    end_reason TEXT,
    PRIMARY KEY (household_id, grant_id),
    CONSTRAINT proxy_grants_days CHECK (valid_to >= valid_from),
    -- Past confirming only with both sides' confirmations; in effect only once paid.
    CONSTRAINT proxy_grants_confirmed CHECK (status IN ('confirming', 'declined', 'cancelled', 'revoked') OR (head_confirmed_at IS NOT NULL AND proxy_confirmed_at IS NOT NULL)),
    CONSTRAINT proxy_grants_paid CHECK (status NOT IN ('active', 'given_up', 'expired') OR paid_at IS NOT NULL),
    CONSTRAINT proxy_grants_ended CHECK ((status IN ('confirming', 'awaiting_payment', 'active')) = (ended_at IS NULL))
);
CREATE UNIQUE INDEX proxy_grants_by_id ON proxy_grants (grant_id);
CREATE INDEX proxy_grants_by_proxy ON proxy_grants (proxy_national_id, status);
CREATE INDEX proxy_grants_ending ON proxy_grants (status, valid_to);
-- One open grant of a household to one person.
CREATE UNIQUE INDEX proxy_grants_one_open ON proxy_grants (household_id, proxy_national_id) WHERE status IN ('confirming', 'awaiting_payment', 'active');
-- How many households a person is proxy for (open grants): a grant's guarded upsert keeps it within the
-- limit under any concurrency, and an ending grant gives its place back in the same transaction.
CREATE TABLE proxy_load (
    national_id TEXT PRIMARY KEY,
    grants BIGINT NOT NULL CHECK (grants >= 0)
);
