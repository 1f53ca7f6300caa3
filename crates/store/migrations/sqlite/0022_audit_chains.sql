-- 4,096 audit chains instead of 16 (docs/audit.md, "Chains"): a household's chain is now FNV-1a mod 4096,
-- so that writers of different households almost never lock the same head. Entries already written stay
-- where they are, linked and hashed as they were: chains 0-15 go on from their heads (a household whose
-- new chain is below 16 keeps appending to its old one, the same number modulo 16), and chains 16-4095
-- start empty. So an existing log verifies unchanged and checkpoints signed before still hold.
WITH RECURSIVE n(chain) AS (SELECT 16 UNION ALL SELECT chain + 1 FROM n WHERE chain < 4095)
INSERT INTO audit_heads (chain, position, hash)
SELECT chain, 0, '0000000000000000000000000000000000000000000000000000000000000000' FROM n;
