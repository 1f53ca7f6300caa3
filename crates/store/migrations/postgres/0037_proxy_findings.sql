-- The proxy finding kind (issue 17 point 5; docs/proxies.md, "The screening signal"). Mirrored in
-- sqlite/0037_proxy_findings.sql.
ALTER TABLE screening_findings DROP CONSTRAINT screening_findings_kind_check;
ALTER TABLE screening_findings ADD CONSTRAINT screening_findings_kind_check
    CHECK (kind IN ('same_id', 'duplicate', 'deceased', 'abroad', 'fictitious', 'proxy'));
