-- Stock at outlets (issue 16 point 2; docs/outlets.md, "Stock"). Mirrored in postgres/0030_stock.sql.
-- One row per outlet, cycle and item: what its households are entitled to (allocated, computed when
-- the cycle opens), what the warehouse sent and the outlet received, what it handed out (collections
-- less voids, in the collection's own transaction) and returned. The variance is
-- received - handed_out - returned; whether a collection may take it below zero is a setting.
CREATE TABLE outlet_stock (
    outlet_code TEXT NOT NULL REFERENCES outlets (code),
    cycle_id TEXT NOT NULL REFERENCES cycles (cycle_id),
    item TEXT NOT NULL,
    allocated INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0),
    dispatched INTEGER NOT NULL DEFAULT 0 CHECK (dispatched >= 0),
    received INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0),
    handed_out INTEGER NOT NULL DEFAULT 0 CHECK (handed_out >= 0),
    returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0),
    PRIMARY KEY (outlet_code, cycle_id, item)
);
CREATE INDEX outlet_stock_by_cycle ON outlet_stock (cycle_id, outlet_code);

-- Each dispatch, receipt and return, with who recorded it; a receipt that differs from what was
-- dispatched carries its reason.
CREATE TABLE stock_movements (
    outlet_code TEXT NOT NULL REFERENCES outlets (code),
    cycle_id TEXT NOT NULL REFERENCES cycles (cycle_id),
    movement_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('dispatch', 'receipt', 'return')),
    item TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    reason TEXT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (outlet_code, cycle_id, movement_id, item)
);
