-- The national ID a head declares online for a member the card holds without one (issue 5): kept with
-- the appointment and linked to the member only when an officer sees the unified card at the visit.
ALTER TABLE appointment_members ADD COLUMN declared_national_id TEXT;
