-- Which customer each identity of a tenant belongs to (user id, email, phone, anonymous id): how events, webhooks
-- and imports find the customer they are about. Customer grains claim and release their own identities; the first
-- claim wins. Filled from existing customers by the identity backfill that runs after this migration.
CREATE TABLE crm_identities (
    tenant_id   text NOT NULL,
    kind        text NOT NULL,
    value       text NOT NULL,
    customer_id text NOT NULL,
    claimed_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, kind, value)
);
CREATE INDEX crm_identities_by_customer ON crm_identities (tenant_id, customer_id, kind);
