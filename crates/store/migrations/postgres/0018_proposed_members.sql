-- Members the head proposes online (a spouse, a child not yet on the card), issue 5: JSON kept with the
-- appointment, each added to the card only when an officer accepts it at the visit.
ALTER TABLE appointments ADD COLUMN proposed_members TEXT NOT NULL DEFAULT '[]';
