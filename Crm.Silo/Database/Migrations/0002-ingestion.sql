-- What integrations send: the ingest log, the system of record of every acknowledged event, and the sources
-- that may send them.

CREATE TABLE crm_sources (
    source_id              uuid PRIMARY KEY,
    tenant_id              text NOT NULL REFERENCES crm_tenants (tenant_id),
    name                   text NOT NULL,
    write_key_hash         bytea NOT NULL,
    signing_secret         bytea NOT NULL,
    created_at             timestamptz NOT NULL,
    revoked_at             timestamptz
);
-- Write keys are looked up by their SHA-256 on every request.
CREATE UNIQUE INDEX crm_sources_write_key ON crm_sources (write_key_hash);
CREATE INDEX crm_sources_tenant ON crm_sources (tenant_id, created_at);

CREATE SEQUENCE crm_ingest_position;

-- Unique on (tenant, message id) within the partition the pair hashes to, that is: unique. Writers to a partition
-- take turns (an advisory lock per partition), so positions become visible in order (see PostgresIngestLog).
CREATE TABLE crm_ingest_log (
    partition_no int NOT NULL,
    tenant_id    text NOT NULL,
    message_id   text NOT NULL,
    position     bigint NOT NULL DEFAULT nextval('crm_ingest_position'),
    received_at  timestamptz NOT NULL,
    event        jsonb NOT NULL,
    PRIMARY KEY (partition_no, tenant_id, message_id)
) PARTITION BY LIST (partition_no);

CREATE TABLE crm_ingest_log_0 PARTITION OF crm_ingest_log FOR VALUES IN (0);
CREATE TABLE crm_ingest_log_1 PARTITION OF crm_ingest_log FOR VALUES IN (1);
CREATE TABLE crm_ingest_log_2 PARTITION OF crm_ingest_log FOR VALUES IN (2);
CREATE TABLE crm_ingest_log_3 PARTITION OF crm_ingest_log FOR VALUES IN (3);
CREATE TABLE crm_ingest_log_4 PARTITION OF crm_ingest_log FOR VALUES IN (4);
CREATE TABLE crm_ingest_log_5 PARTITION OF crm_ingest_log FOR VALUES IN (5);
CREATE TABLE crm_ingest_log_6 PARTITION OF crm_ingest_log FOR VALUES IN (6);
CREATE TABLE crm_ingest_log_7 PARTITION OF crm_ingest_log FOR VALUES IN (7);

CREATE INDEX crm_ingest_log_order ON crm_ingest_log (partition_no, position);
CREATE INDEX crm_ingest_log_received ON crm_ingest_log (partition_no, received_at);
