-- The month-end conversion of unused bread into the family's commodity credit (issue 16 point 4;
-- docs/outlets.md, "Bread"). Mirrored in postgres/0032_bread_conversion.sql. A closed bread cycle is
-- converted once, into the allowance cycle of the next month of its governorate: the cycle's row says
-- which and when, set in the transaction that writes the credits, so that two servers never convert
-- it twice. Each household's credit is an adjustment of its money line (`cycle_changes`, change id
-- `bread:<cycle>`).
ALTER TABLE cycles ADD COLUMN converted_into TEXT REFERENCES cycles (cycle_id);
ALTER TABLE cycles ADD COLUMN converted_at TEXT;
