-- Events that fail on their own, set aside so that their partition goes on. Kept beside the log rather than in the
-- processor's state, so that any number of one tenant's bad events can be parked without stopping other tenants.
-- Pruning passes a parked event by; retrying takes it off when it applies.
CREATE TABLE crm_ingest_parked (
    partition_no int NOT NULL,
    position     bigint NOT NULL,
    tenant_id    text NOT NULL,
    message_id   text NOT NULL,
    reason       text NOT NULL,
    parked_at    timestamptz NOT NULL,
    attempts     int NOT NULL,
    PRIMARY KEY (partition_no, position)
);
