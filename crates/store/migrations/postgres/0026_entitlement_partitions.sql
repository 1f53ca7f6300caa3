-- Entitlements partitioned by cycle (issue 15 point 7; docs/distribution.md, "Generation"). A
-- generation loads its cycles' rows into a table of its own with no index, builds the indexes once
-- at the end, and attaches it as the partition of those cycles, all in one transaction: nine million
-- rows go in at the rate of a bulk load, not of nine million index insertions and key checks, and
-- nothing is visible before the commit. There is no default partition: the database refuses an
-- entitlement of a cycle that has not been generated. Mirrors sqlite/0026_entitlement_partitions.sql.
ALTER TABLE entitlement_lines DROP CONSTRAINT entitlement_lines_household_id_cycle_id_fkey;
ALTER TABLE cycle_changes DROP CONSTRAINT cycle_changes_household_id_cycle_id_fkey;
ALTER TABLE entitlements RENAME TO entitlements_0024;
ALTER TABLE entitlements_0024 RENAME CONSTRAINT entitlements_pkey TO entitlements_0024_pkey;
DROP INDEX entitlements_by_cycle;

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
) PARTITION BY LIST (cycle_id);
CREATE INDEX entitlements_by_cycle ON entitlements (cycle_id, district_code);

-- The cycles already generated: one partition per generation, named after its first cycle, as a
-- generation now makes them.
DO $$ DECLARE r record; BEGIN FOR r IN SELECT min(cycle_id) AS first, string_agg(quote_literal(cycle_id), ', ') AS ids FROM cycles WHERE generated_at IS NOT NULL GROUP BY generation_run LOOP EXECUTE format('CREATE TABLE %I PARTITION OF entitlements FOR VALUES IN (%s)', 'entitlements_' || lower(regexp_replace(left(r.first, 40), '[^A-Za-z0-9]', '_', 'g')), r.ids); END LOOP; END $$;
INSERT INTO entitlements SELECT * FROM entitlements_0024;
DROP TABLE entitlements_0024;

ALTER TABLE entitlement_lines ADD CONSTRAINT entitlement_lines_household_id_cycle_id_fkey
    FOREIGN KEY (household_id, cycle_id) REFERENCES entitlements (household_id, cycle_id);
ALTER TABLE cycle_changes ADD CONSTRAINT cycle_changes_household_id_cycle_id_fkey
    FOREIGN KEY (household_id, cycle_id) REFERENCES entitlements (household_id, cycle_id);
