-- Names typed with a slip are found through their deletion neighbourhoods (SearchTypos), kept as hashes in an
-- indexed array. Rows written before (projection < 5) get theirs from the start-up backfill, found through the
-- reproject index, which replaces the one for projection 4.
ALTER TABLE crm_customers ADD COLUMN typo_keys int[] NOT NULL DEFAULT '{}';
CREATE INDEX crm_customers_typos ON crm_customers USING gin (tenant_id, typo_keys) WHERE NOT deleted;
DROP INDEX crm_customers_to_reproject;
CREATE INDEX crm_customers_to_reproject ON crm_customers (tenant_id, customer_id) WHERE projection < 5 AND NOT deleted;
