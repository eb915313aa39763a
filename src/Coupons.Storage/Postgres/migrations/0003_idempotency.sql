-- What a POST with an Idempotency-Key answered, so a retry with the same key gets the same answer and changes nothing.
-- state: started (claimed by owner, nothing committed), committed (the request's writes committed; marked in the same
-- transaction as those writes), done (the answer is stored).
CREATE TABLE idempotency_keys (
    org_id bigint NOT NULL,
    idem_key text NOT NULL,
    request_hash text NOT NULL,
    owner text NOT NULL,
    state text NOT NULL,
    response_status integer,
    response_type text,
    response_body bytea,
    started_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
