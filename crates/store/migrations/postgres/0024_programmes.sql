-- Programmes, monthly cycles and entitlements (issue 15; docs/distribution.md). Mirrors
-- sqlite/0024_programmes.sql.

-- What eligibility rules read of a household (issue 15 point 2). NULL is "not declared": a rule never
-- excludes on what is not on record. Money in the country's smallest unit (fils, piastres).
ALTER TABLE households ADD COLUMN head_sector TEXT CHECK (head_sector IN ('public', 'private', 'military', 'retired', 'none'));
ALTER TABLE households ADD COLUMN head_monthly_income BIGINT CHECK (head_monthly_income >= 0);
ALTER TABLE households ADD COLUMN household_monthly_income BIGINT CHECK (household_monthly_income >= 0);
-- On the social-protection ministry's lists: the basket's supplement is for them.
ALTER TABLE households ADD COLUMN social_welfare BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE households ADD COLUMN low_income BOOLEAN NOT NULL DEFAULT FALSE;

-- When a member counts, by cycle month (YYYY-MM): a member added to a card (a newborn confirmed, a
-- spouse) counts from the month after; one removed (deceased, departed) counts up to the month of the
-- removal. NULL: from the start, and while present.
ALTER TABLE members ADD COLUMN counts_from TEXT;
ALTER TABLE members ADD COLUMN left_in TEXT;

CREATE TABLE programmes (
    code TEXT PRIMARY KEY,
    country TEXT NOT NULL CHECK (country IN ('IQ', 'EG')),
    kind TEXT NOT NULL CHECK (kind IN ('basket', 'bread', 'allowance')),
    created_at TEXT NOT NULL
);

-- A version is never changed: a change is a new version, effective from a later month.
CREATE TABLE programme_versions (
    programme TEXT NOT NULL REFERENCES programmes (code),
    version BIGINT NOT NULL CHECK (version > 0),
    effective_from TEXT NOT NULL,
    -- The programme file's version, checked, as canonical JSON.
    content TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (programme, version),
    UNIQUE (programme, effective_from)
);

CREATE TABLE cycles (
    cycle_id TEXT PRIMARY KEY,
    programme TEXT NOT NULL,
    version BIGINT NOT NULL,
    month TEXT NOT NULL,
    governorate_code TEXT NOT NULL REFERENCES governorates (code),
    status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'open', 'closed', 'failed')),
    drafted_by TEXT NOT NULL,
    drafted_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    -- Set by the generation's commit, with its counts: only a generated cycle opens.
    generated_at TEXT,
    generation_run TEXT,
    households BIGINT,
    persons BIGINT,
    error TEXT,
    opened_by TEXT,
    opened_at TEXT,
    closed_by TEXT,
    closed_at TEXT,
    FOREIGN KEY (programme, version) REFERENCES programme_versions (programme, version),
    UNIQUE (programme, month, governorate_code),
    -- Four eyes: nobody approves their own draft.
    CONSTRAINT cycles_four_eyes CHECK (approved_by IS NULL OR approved_by <> drafted_by),
    CONSTRAINT cycles_approved CHECK (status IN ('draft', 'failed') OR approved_by IS NOT NULL),
    CONSTRAINT cycles_generated CHECK (status NOT IN ('open', 'closed') OR generated_at IS NOT NULL)
);
CREATE INDEX cycles_by_status ON cycles (status, programme, month);

-- One row per household and cycle (docs/distribution.md argues why not per item): the members counted
-- (their member numbers), the categories that give a supplement, and what a hold placed since
-- suspends. Amounts are per person times `persons`, from the cycle's programme version.
CREATE TABLE entitlements (
    household_id TEXT NOT NULL,
    cycle_id TEXT NOT NULL REFERENCES cycles (cycle_id),
    persons BIGINT NOT NULL CHECK (persons > 0),
    counted TEXT NOT NULL,
    -- 1 social welfare, 2 low income.
    categories BIGINT NOT NULL CHECK (categories BETWEEN 0 AND 3),
    district_code TEXT NOT NULL,
    agent_code TEXT,
    suspended_persons BIGINT NOT NULL DEFAULT 0,
    suspended_whole BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (household_id, cycle_id),
    CONSTRAINT entitlements_suspended CHECK (suspended_persons BETWEEN 0 AND persons)
);
CREATE INDEX entitlements_by_cycle ON entitlements (cycle_id, district_code);

-- Per item, written when an item is first adjusted or handed out (issue 16): the quantity owed after
-- adjustments, what was handed out and what a hold suspends. The database keeps every line whole.
CREATE TABLE entitlement_lines (
    household_id TEXT NOT NULL,
    cycle_id TEXT NOT NULL,
    item TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    redeemed BIGINT NOT NULL DEFAULT 0,
    suspended BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (household_id, cycle_id, item),
    FOREIGN KEY (household_id, cycle_id) REFERENCES entitlements (household_id, cycle_id),
    CONSTRAINT entitlement_lines_whole CHECK (quantity >= 0 AND redeemed >= 0 AND suspended >= 0 AND redeemed + suspended <= quantity)
);

-- Adjustments inside an open cycle: explicit, signed, with a reason; each also an audit entry.
CREATE TABLE cycle_changes (
    household_id TEXT NOT NULL,
    cycle_id TEXT NOT NULL,
    change_id TEXT NOT NULL,
    item TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount <> 0),
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (household_id, cycle_id, change_id),
    FOREIGN KEY (household_id, cycle_id) REFERENCES entitlements (household_id, cycle_id)
);
