-- Registry schema, PostgreSQL. Mirrors sqlite/0001_registry.sql; differences are types and collations only.
-- Household tables lead with household_id (DESIGN.md, scale rules); ids come from the application.

CREATE TABLE governorates (
    code TEXT PRIMARY KEY,
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE districts (
    code TEXT PRIMARY KEY,
    governorate_code TEXT NOT NULL REFERENCES governorates (code),
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE update_centres (
    code TEXT PRIMARY KEY,
    district_code TEXT NOT NULL REFERENCES districts (code),
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL,
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    counters BIGINT NOT NULL CHECK (counters > 0)
);

CREATE TABLE ration_agents (
    code TEXT PRIMARY KEY,
    district_code TEXT NOT NULL REFERENCES districts (code),
    name_ar TEXT NOT NULL
);

CREATE TABLE households (
    household_id TEXT PRIMARY KEY,
    card_number TEXT COLLATE "C" NOT NULL,
    governorate_code TEXT NOT NULL REFERENCES governorates (code),
    district_code TEXT NOT NULL REFERENCES districts (code),
    address TEXT NOT NULL,
    agent_code TEXT REFERENCES ration_agents (code),
    state TEXT NOT NULL CHECK (state IN ('active', 'temporary', 'pending_verification', 'suspended', 'blocked', 'closed')),
    -- Exactly one head: the household points at a present member whose relation is 'head' (deferred
    -- foreign key below), and the partial unique index on members allows at most one such member.
    head_member_id TEXT NOT NULL,
    head_relation TEXT NOT NULL DEFAULT 'head' CHECK (head_relation = 'head'),
    head_presence TEXT NOT NULL DEFAULT 'present' CHECK (head_presence = 'present'),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
);
-- Keyset pages in card order, filtered by area or by state.
CREATE INDEX households_by_governorate ON households (governorate_code, card_number);
CREATE INDEX households_by_district ON households (district_code, card_number);
CREATE INDEX households_by_state ON households (state, card_number);
CREATE INDEX households_by_card ON households (card_number);

-- Card numbers are unique nationally: an index table keyed by card number, like national IDs.
CREATE TABLE card_index (
    card_number TEXT COLLATE "C" PRIMARY KEY,
    household_id TEXT NOT NULL
);

CREATE TABLE members (
    household_id TEXT NOT NULL REFERENCES households (household_id) DEFERRABLE INITIALLY DEFERRED,
    member_id TEXT NOT NULL,
    member_no BIGINT NOT NULL,
    national_id TEXT,
    given_name TEXT NOT NULL,
    father_name TEXT NOT NULL,
    grandfather_name TEXT NOT NULL,
    family_name TEXT,
    mother_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    birth_year BIGINT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    relation TEXT NOT NULL,
    elderly BOOLEAN NOT NULL DEFAULT FALSE,
    sick BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    presence TEXT NOT NULL CHECK (presence IN ('present', 'removed')),
    removed_reason TEXT,
    name_key TEXT COLLATE "C" NOT NULL,
    given_family_key TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (household_id, member_id),
    UNIQUE (household_id, member_id, relation, presence),
    UNIQUE (household_id, member_no),
    UNIQUE (household_id, member_id, national_id, presence)
);
ALTER TABLE households ADD CONSTRAINT households_head_fk
    FOREIGN KEY (household_id, head_member_id, head_relation, head_presence)
    REFERENCES members (household_id, member_id, relation, presence) DEFERRABLE INITIALLY DEFERRED;
CREATE UNIQUE INDEX members_one_head ON members (household_id) WHERE relation = 'head' AND presence = 'present';
CREATE INDEX members_by_name ON members (name_key);
CREATE INDEX members_by_given_family ON members (given_family_key);

-- One national ID in at most one active household: rows exist only for present members of open households.
-- The foreign key keeps every row truthful: it names a present member who carries exactly that ID.
CREATE TABLE national_id_index (
    national_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    member_presence TEXT NOT NULL DEFAULT 'present' CHECK (member_presence = 'present'),
    FOREIGN KEY (household_id, member_id, national_id, member_presence)
        REFERENCES members (household_id, member_id, national_id, presence)
);

CREATE TABLE holds (
    household_id TEXT NOT NULL REFERENCES households (household_id) DEFERRABLE INITIALLY DEFERRED,
    hold_id TEXT NOT NULL,
    member_id TEXT,
    reason TEXT NOT NULL CHECK (reason IN ('deceased', 'abroad', 'duplicate', 'fictitious', 'not_verified_in_person', 'no_national_id', 'data_mismatch', 'other')),
    evidence TEXT NOT NULL,
    source TEXT NOT NULL,
    since TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    lifted_at TEXT,
    lifted_by TEXT,
    lift_reason TEXT,
    PRIMARY KEY (household_id, hold_id)
);

CREATE TABLE household_changes (
    household_id TEXT NOT NULL,
    change_id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    member_id TEXT,
    reason TEXT,
    details TEXT NOT NULL,
    PRIMARY KEY (household_id, change_id)
);

CREATE TABLE idempotency_keys (
    idem_key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
