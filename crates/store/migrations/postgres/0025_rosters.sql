-- Each household's members counted now, kept on its row (issue 15 point 7; docs/distribution.md,
-- "Counting from the household row"). Mirrors sqlite/0025_rosters.sql.
-- A cycle of month M reads these instead of joining the members whenever no member's counting
-- changes at or after M: roster_added is the latest month a member starts counting from
-- (members.counts_from), roster_left the latest month a removed member still counts in
-- (members.left_in). Every write of members or holds refreshes them in its own transaction.
ALTER TABLE households ADD COLUMN roster_persons BIGINT NOT NULL DEFAULT 0 CHECK (roster_persons >= 0);
ALTER TABLE households ADD COLUMN roster TEXT;
ALTER TABLE households ADD COLUMN roster_added TEXT;
ALTER TABLE households ADD COLUMN roster_left TEXT;

UPDATE households SET
    roster_persons = (SELECT COUNT(*) FROM members m WHERE m.household_id = households.household_id AND m.presence = 'present'
        AND NOT EXISTS (SELECT 1 FROM holds x WHERE x.household_id = m.household_id AND x.member_id = m.member_id
        AND x.lifted_at IS NULL AND x.reason <> 'no_national_id')),
    roster = (SELECT string_agg(CAST(m.member_no AS TEXT), ' ' ORDER BY m.member_no) FROM members m
        WHERE m.household_id = households.household_id AND m.presence = 'present'
        AND NOT EXISTS (SELECT 1 FROM holds x WHERE x.household_id = m.household_id AND x.member_id = m.member_id
        AND x.lifted_at IS NULL AND x.reason <> 'no_national_id')),
    roster_added = (SELECT MAX(m.counts_from) FROM members m WHERE m.household_id = households.household_id),
    roster_left = (SELECT MAX(m.left_in) FROM members m WHERE m.household_id = households.household_id);
