-- Rows written before their search text held names without accents (projection 4) are found by the start-up
-- backfill through this index, which replaces the one for projection 2: without it, every start would read the
-- whole list to find that none is left.
DROP INDEX crm_customers_to_reproject;
CREATE INDEX crm_customers_to_reproject ON crm_customers (tenant_id, customer_id) WHERE projection < 4 AND NOT deleted;
