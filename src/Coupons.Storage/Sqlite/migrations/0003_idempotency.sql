-- What a POST with an Idempotency-Key answered, so a retry with the same key gets the same answer and changes nothing.
-- state: started (claimed by owner, nothing committed), committed (the request's writes committed; marked in the same
-- transaction as those writes), done (the answer is stored).
CREATE TABLE idempotency_keys (
    org_id INTEGER NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    response_status INTEGER,
    response_type TEXT,
    response_body BLOB,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (org_id, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
