-- Warehouses and the ration agents each supplies (issue 15 point 3: a dry run's tonnage per warehouse;
-- dispatch and receipt come with outlets and stock). An agent has at most one warehouse.
CREATE TABLE warehouses (
    code TEXT PRIMARY KEY,
    governorate_code TEXT NOT NULL REFERENCES governorates (code),
    name_ar TEXT NOT NULL
);
ALTER TABLE ration_agents ADD COLUMN warehouse_code TEXT REFERENCES warehouses (code);
