-- The customer list newest (or oldest) first walks this index: a customer's created time never changes, so the index
-- costs only the insert of each new customer.
CREATE INDEX crm_customers_by_created ON crm_customers (tenant_id, created_at, customer_id) WHERE NOT deleted;
