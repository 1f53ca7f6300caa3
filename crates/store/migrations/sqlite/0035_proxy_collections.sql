-- Collections by a proxy (issue 17 point 4; docs/proxies.md, "At the outlet"). Mirrored in
-- postgres/0035_proxy_collections.sql. A collection a proxy made names the grant it was made under and
-- the proxy (national ID, and the name on their own card), so that the family's history, the receipt
-- and the auditors show who really collected; the collector is then the proxy's member id on their
-- own card.
ALTER TABLE redemptions ADD COLUMN proxy_grant_id TEXT;
ALTER TABLE redemptions ADD COLUMN proxy_national_id TEXT;
ALTER TABLE redemptions ADD COLUMN proxy_name TEXT;
CREATE INDEX redemptions_by_proxy ON redemptions (proxy_national_id, at);
