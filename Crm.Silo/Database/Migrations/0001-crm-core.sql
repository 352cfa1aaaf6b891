-- Tables Crm.Orleans owns. Orleans' own tables come from the third-party scripts applied before this one.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE crm_tenants (
    tenant_id  text PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE crm_users (
    user_id       uuid PRIMARY KEY,
    tenant_id     text NOT NULL REFERENCES crm_tenants (tenant_id),
    email         text NOT NULL,
    display_name  text NOT NULL,
    roles         text[] NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL,
    disabled_at   timestamptz
);
-- The email is the sign-in name, so it is unique across tenants.
CREATE UNIQUE INDEX crm_users_email ON crm_users (email);
CREATE INDEX crm_users_tenant ON crm_users (tenant_id, email);

-- Secrets the nodes of one deployment share, such as the token signing key.
CREATE TABLE crm_secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Every interaction of every customer, append-only. The primary key makes an append one index insert
-- whatever the timeline's length, and orders catch-up reads by sequence.
CREATE TABLE crm_timeline (
    tenant_id        text NOT NULL,
    customer_id      text NOT NULL,
    sequence         bigint NOT NULL,
    interaction_id   uuid NOT NULL,
    channel          text NOT NULL,
    direction        text NOT NULL,
    occurred_at      timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL,
    agent_id         text,
    agent_name       text,
    subject          text,
    body             text,
    duration_seconds integer,
    outcome          text,
    external_id      text,
    metadata         jsonb NOT NULL DEFAULT '{}',
    recorded_by_id   text,
    recorded_by_name text,
    PRIMARY KEY (tenant_id, customer_id, sequence)
);
-- Newest first, as agents read it; late events take their place by when they happened.
CREATE INDEX crm_timeline_newest_first ON crm_timeline (tenant_id, customer_id, occurred_at DESC, sequence DESC);
CREATE INDEX crm_timeline_by_channel ON crm_timeline (tenant_id, customer_id, channel, occurred_at DESC, sequence DESC);
CREATE UNIQUE INDEX crm_timeline_interaction_id ON crm_timeline (tenant_id, interaction_id);
-- An integration's id for an interaction is stored once per tenant, however often it is sent.
CREATE UNIQUE INDEX crm_timeline_external_id ON crm_timeline (tenant_id, external_id) WHERE external_id IS NOT NULL;

-- Each tenant's customer list, kept by the customer grains for listing and search.
-- Byte order ("C") for the list's sort columns, so that paging order does not depend on the server's locale.
CREATE TABLE crm_customers (
    tenant_id     text NOT NULL,
    customer_id   text COLLATE "C" NOT NULL,
    display_name  text NOT NULL,
    sort_name     text COLLATE "C" NOT NULL,
    primary_email text,
    primary_phone text,
    company       text,
    lifecycle     text NOT NULL,
    tags          text[] NOT NULL,
    search_text   text NOT NULL,
    sequence      bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    deleted       boolean NOT NULL,
    PRIMARY KEY (tenant_id, customer_id)
);
CREATE INDEX crm_customers_by_name ON crm_customers (tenant_id, sort_name, customer_id) WHERE NOT deleted;
CREATE INDEX crm_customers_search ON crm_customers USING gin (tenant_id, search_text gin_trgm_ops) WHERE NOT deleted;
