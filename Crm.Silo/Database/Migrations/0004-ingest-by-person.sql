-- The ingest log, partitioned by person instead of by message, so that one person's events are applied in the order
-- they were received, and holding each event as the typed JSON it was parsed into where it arrived.
-- Unique on (tenant, message id) across partitions: the same message id within a tenant is logged once, whoever it names.

CREATE TABLE crm_ingest_events (
    tenant_id    text NOT NULL,
    message_id   text NOT NULL,
    partition_no int NOT NULL,
    position     bigint NOT NULL DEFAULT nextval('crm_ingest_position'),
    received_at  timestamptz NOT NULL,
    -- The event as UTF-8 JSON (see IngestEventJson); null for events logged before this migration.
    payload      bytea,
    -- Events logged before this migration, as they were: read through today's readers when applied.
    legacy_event jsonb,
    PRIMARY KEY (tenant_id, message_id),
    CHECK ((payload IS NULL) <> (legacy_event IS NULL))
);
CREATE INDEX crm_ingest_events_order ON crm_ingest_events (partition_no, position);

-- Events already logged keep their partition and position, so each processor's checkpoint still means what it meant.
INSERT INTO crm_ingest_events (tenant_id, message_id, partition_no, position, received_at, legacy_event)
SELECT tenant_id, message_id, partition_no, position, received_at, event FROM crm_ingest_log;

DROP TABLE crm_ingest_log;
