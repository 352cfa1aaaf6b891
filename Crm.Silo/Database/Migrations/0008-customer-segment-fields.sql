-- What segment rules compare, beside what the list shows: the grain writes them with the rest of its row, text
-- lower-cased by the application (as search_text), so that PostgreSQL's locale plays no part in comparing it. Rows
-- written before are projection 1 and are written again, in full, by the customers they belong to at start.
ALTER TABLE crm_customers
    ADD COLUMN company_key        text,
    ADD COLUMN tag_keys           text[] NOT NULL DEFAULT '{}',
    ADD COLUMN country            text,
    ADD COLUMN owner_id           text,
    ADD COLUMN email_consent      text NOT NULL DEFAULT 'unknown',
    ADD COLUMN attributes         jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN total_interactions bigint NOT NULL DEFAULT 0,
    ADD COLUMN last_contact_at    timestamptz,
    ADD COLUMN projection         smallint NOT NULL DEFAULT 1;
CREATE INDEX crm_customers_to_reproject ON crm_customers (tenant_id, customer_id) WHERE projection < 2;
-- Tags pick out few customers ("vip"): a rule on them reads those, not the tenant's whole list.
CREATE INDEX crm_customers_tags ON crm_customers USING gin (tenant_id, tag_keys) WHERE NOT deleted;
