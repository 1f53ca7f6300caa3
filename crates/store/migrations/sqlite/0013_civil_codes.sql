-- The registry's own one-time codes to the phone on file (issue 4: confirming a citizen or a proxy),
-- apart from Tamwin's sign-in codes (otp_challenges), and the messages its SMS gateway sends.

CREATE TABLE civil_otps (
    challenge_id TEXT PRIMARY KEY,
    national_id TEXT NOT NULL,
    -- The client that asked (IQ/GOV/MOT/tamwin): only it may verify.
    client TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('citizen', 'proxy')),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    used_at TEXT
);
CREATE INDEX civil_otps_by_person ON civil_otps (national_id, created_at);

CREATE TABLE civil_sms (
    message_id TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
