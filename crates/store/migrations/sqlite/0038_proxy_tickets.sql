-- The proxy sees a grant before answering it (issue 17 point 6; docs/proxies.md, "Pages"). Mirrored
-- in postgres/0038_proxy_tickets.sql. The code the civil registry sent is good once: when it matches,
-- the check's evidence is kept here with the hash of a short-lived ticket the proxy's page carries
-- to the answer, so that the proxy reads what they are asked before accepting or declining.
ALTER TABLE proxy_grants ADD COLUMN proxy_ticket_hash TEXT;
ALTER TABLE proxy_grants ADD COLUMN proxy_ticket_expires TEXT;
ALTER TABLE proxy_grants ADD COLUMN proxy_seen_evidence TEXT;
