-- Entitlements only of a cycle being or having been generated (issue 15 point 7). PostgreSQL keeps
-- them in one partition per generation and has no partition for any other cycle
-- (postgres/0026_entitlement_partitions.sql); SQLite keeps one table and refuses the same rows here.
CREATE TRIGGER entitlements_of_generation BEFORE INSERT ON entitlements WHEN (SELECT generation_run FROM cycles WHERE cycle_id = NEW.cycle_id) IS NULL BEGIN SELECT RAISE(ABORT, 'entitlements_of_generation: the cycle is not being generated'); END;
