-- An exemption from the abroad rule rests on a document (a university letter, a hospital report, a
-- ministry order), kept with it as the reviewer saw it. Mirrored in sqlite/0020. Exemptions granted
-- before this carry none.
ALTER TABLE abroad_exemptions ADD COLUMN document_name TEXT;
ALTER TABLE abroad_exemptions ADD COLUMN document_type TEXT;
ALTER TABLE abroad_exemptions ADD COLUMN document BYTEA;
