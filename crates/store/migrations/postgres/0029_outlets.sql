-- Outlets, ration-card QR tokens and redemptions (issue 16; docs/outlets.md). Mirrored in
-- sqlite/0029_outlets.sql.

-- The ration agents of issue 1 become outlets of kind 'ration_agent': the table is renamed, and the
-- households' foreign key follows it (PostgreSQL keeps references to a renamed table). An outlet's governorate is
-- its district's.
ALTER TABLE ration_agents RENAME TO outlets;
ALTER TABLE outlets ADD COLUMN kind TEXT NOT NULL DEFAULT 'ration_agent' CHECK (kind IN ('ration_agent', 'flour_agent', 'bakery', 'commodity_outlet'));
ALTER TABLE outlets ADD COLUMN address TEXT NOT NULL DEFAULT '';
-- Micro-degrees (WGS 84), exact integers; both or neither.
ALTER TABLE outlets ADD COLUMN latitude_e6 BIGINT CHECK (latitude_e6 BETWEEN -90000000 AND 90000000);
ALTER TABLE outlets ADD COLUMN longitude_e6 BIGINT CHECK (longitude_e6 BETWEEN -180000000 AND 180000000);
ALTER TABLE outlets ADD COLUMN licence TEXT NOT NULL DEFAULT 'active' CHECK (licence IN ('active', 'suspended', 'revoked'));
-- Days of the week it opens (`sat sun mon tue wed thu fri`, space-separated) and its hours (HH:MM).
ALTER TABLE outlets ADD COLUMN opening_days TEXT NOT NULL DEFAULT 'sat sun mon tue wed thu';
ALTER TABLE outlets ADD COLUMN opens TEXT NOT NULL DEFAULT '08:00';
ALTER TABLE outlets ADD COLUMN closes TEXT NOT NULL DEFAULT '16:00';
CREATE INDEX outlets_by_district ON outlets (district_code, kind, code);

-- A household's flour agent, beside its ration agent (`agent_code`).
ALTER TABLE households ADD COLUMN flour_agent_code TEXT REFERENCES outlets (code);
CREATE INDEX households_by_agent ON households (agent_code) WHERE agent_code IS NOT NULL;
CREATE INDEX households_by_flour_agent ON households (flour_agent_code) WHERE flour_agent_code IS NOT NULL;

-- A device or an operator's account of one outlet acts for that outlet only.
ALTER TABLE device_keys ADD COLUMN outlet_code TEXT REFERENCES outlets (code);
ALTER TABLE staff_users ADD COLUMN outlet_code TEXT REFERENCES outlets (code);
ALTER TABLE api_tokens ADD COLUMN outlet_code TEXT REFERENCES outlets (code);

-- The ration card's signed QR: the token it names is the household's only valid one; reissuing the
-- card (lost, stolen) revokes the one before.
CREATE TABLE card_tokens (
    household_id TEXT NOT NULL,
    token_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (household_id, token_id)
);
CREATE UNIQUE INDEX card_tokens_one_valid ON card_tokens (household_id) WHERE revoked_at IS NULL;

-- A collection at an outlet: who collected, how the card was identified, by which device and its own
-- transaction id (unique per device: a retry never collects twice). What it took is in
-- `redemption_lines`; the entitlement line's `redeemed` is drawn by the same transaction, and the
-- line's CHECK refuses more than it holds. A void puts the quantities back and keeps the row.
CREATE TABLE redemptions (
    household_id TEXT NOT NULL,
    redemption_id TEXT NOT NULL,
    cycle_id TEXT NOT NULL,
    outlet_code TEXT NOT NULL REFERENCES outlets (code),
    -- The device (`device:<id>`) or the operator's account (`staff:<id>`) that recorded it.
    device_id TEXT NOT NULL,
    device_txn TEXT NOT NULL,
    collector_member_id TEXT NOT NULL,
    identified_by TEXT NOT NULL CHECK (identified_by IN ('qr', 'otp', 'fingerprint')),
    at TEXT NOT NULL,
    voided_at TEXT,
    void_reason TEXT,
    PRIMARY KEY (household_id, redemption_id),
    FOREIGN KEY (household_id, cycle_id) REFERENCES entitlements (household_id, cycle_id),
    CONSTRAINT redemptions_void_reason CHECK ((voided_at IS NULL) = (void_reason IS NULL))
);
CREATE UNIQUE INDEX redemptions_device_txn ON redemptions (device_id, device_txn);
CREATE INDEX redemptions_by_outlet ON redemptions (outlet_code, at);
CREATE INDEX redemptions_by_cycle ON redemptions (household_id, cycle_id, at);

CREATE TABLE redemption_lines (
    household_id TEXT NOT NULL,
    redemption_id TEXT NOT NULL,
    item TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (household_id, redemption_id, item),
    FOREIGN KEY (household_id, redemption_id) REFERENCES redemptions (household_id, redemption_id)
);
