-- Unified cards issued by the reference civil registry with a signed QR (docs/signed-payload.md), and
-- "your card at home" delivery orders with their tracking history (issue 4).

CREATE TABLE civil_cards (
    card_id TEXT PRIMARY KEY,
    national_id TEXT NOT NULL,
    card_number TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('valid', 'lost', 'replaced', 'expired')),
    -- The QR text: TMW1: + Base45(zlib(COSE_Sign1)).
    qr TEXT NOT NULL
);
CREATE INDEX civil_cards_by_person ON civil_cards (national_id, issued_at);
-- One valid card per person, also when two issues race.
CREATE UNIQUE INDEX civil_cards_one_valid ON civil_cards (national_id) WHERE status = 'valid';

CREATE TABLE card_deliveries (
    order_id TEXT PRIMARY KEY,
    card_id TEXT NOT NULL REFERENCES civil_cards (card_id),
    national_id TEXT NOT NULL,
    address TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'printed', 'out_for_delivery', 'delivered', 'failed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX card_deliveries_by_person ON card_deliveries (national_id, created_at);

CREATE TABLE card_delivery_steps (
    order_id TEXT NOT NULL REFERENCES card_deliveries (order_id),
    seq BIGINT NOT NULL,
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (order_id, seq)
);
