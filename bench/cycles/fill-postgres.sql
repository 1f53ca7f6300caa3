-- A national registry for the cycle benchmark, written set-based straight into the migrated schema
-- (importing 46 million members through `tamwin import` would take the better part of an hour and
-- measure the import, not the cycle). Households spread over every district; 3 to 8 members each
-- (5.1 on average, as Iraq's 46 million people on 9 million cards); 1 % of members held (no national
-- ID, abroad, deceased); 15 % of heads in public employment, a third of them paid 1.5 million IQD or
-- more; 10 % on the social-welfare list, 5 % low income; a few households suspended or closed.
-- Foreign keys are not checked while loading (session_replication_role); the data keeps them.
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET synchronous_commit = off;
SET work_mem = '256MB';
SET maintenance_work_mem = '1GB';

CREATE TEMP TABLE bench_districts AS
SELECT row_number() OVER (ORDER BY code) - 1 AS n, code, governorate_code FROM districts;

INSERT INTO outlets (code, district_code, name_ar)
SELECT 'A' || d.code || lpad(a::text, 4, '0'), d.code, 'وكيل ' || a
FROM bench_districts d, generate_series(1, 40) a
ON CONFLICT DO NOTHING;

INSERT INTO households (household_id, card_number, governorate_code, district_code, address, agent_code, state,
    head_member_id, version, created_at, updated_at, head_sector, head_monthly_income, social_welfare, low_income,
    roster_persons, roster)
SELECT 'h' || lpad(i::text, 9, '0'),
       'B' || lpad(i::text, 11, '0'),
       d.governorate_code, d.code, 'محلة ' || (i % 900),
       'A' || d.code || lpad((1 + (i / 77) % 40)::text, 4, '0'),
       CASE WHEN i % 211 = 0 THEN 'suspended' WHEN i % 307 = 0 THEN 'closed' ELSE 'active' END,
       'h' || lpad(i::text, 9, '0') || '-1', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z',
       CASE WHEN i % 20 < 3 THEN 'public' WHEN i % 20 < 10 THEN 'private' ELSE NULL END,
       CASE WHEN i % 20 < 3 THEN 900000000 + (i % 3) * 400000000 ELSE NULL END,
       i % 10 = 0, i % 20 = 7, r.persons, r.roster
FROM generate_series(1, :households) i
JOIN bench_districts d ON d.n = i % (SELECT count(*) FROM bench_districts)
-- The roster the store keeps (migration 0025): the members below less those the holds below hold,
-- by the same expressions.
CROSS JOIN LATERAL (
    SELECT count(*) AS persons, string_agg(j::text, ' ' ORDER BY j) AS roster
    FROM generate_series(1, 3 + i % 5 + CASE WHEN i % 9 = 0 THEN 1 ELSE 0 END) j
    WHERE NOT (j > 1 AND j % 3 <> 0 AND hashtext('h' || lpad(i::text, 9, '0') || '-' || j) % 100 = 0)
) r;

INSERT INTO members (household_id, member_id, member_no, national_id, given_name, father_name, grandfather_name,
    family_name, mother_name, birth_date, birth_year, sex, relation, presence, name_key, given_family_key)
SELECT 'h' || lpad(i::text, 9, '0'), 'h' || lpad(i::text, 9, '0') || '-' || j, j, NULL,
       'علي', 'حسين', 'كاظم', 'الكربلائي', 'زينب', '1980-03-01', 1980,
       CASE WHEN j % 2 = 0 THEN 'female' ELSE 'male' END,
       CASE WHEN j = 1 THEN 'head' WHEN j = 2 THEN 'spouse' ELSE 'son' END,
       'present', 'k' || (i % 1000), 'k' || (i % 1000)
FROM generate_series(1, :households) i,
     generate_series(1, 3 + i % 5 + CASE WHEN i % 9 = 0 THEN 1 ELSE 0 END) j;

INSERT INTO holds (household_id, hold_id, member_id, reason, evidence, source, since, placed_by)
SELECT household_id, member_id || '-hold', member_id,
       CASE WHEN member_no % 3 = 0 THEN 'no_national_id' WHEN member_no % 3 = 1 THEN 'abroad' ELSE 'deceased' END,
       'bench', 'civil_registry', '2026-01-01T00:00:00.000000Z', 'bench'
FROM members
WHERE member_no > 1 AND hashtext(member_id) % 100 = 0;

SET session_replication_role = origin;
ANALYZE households;
ANALYZE members;
ANALYZE holds;
