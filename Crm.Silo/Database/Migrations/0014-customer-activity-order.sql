-- The customer list by last contact or by number of interactions walks these indexes, in a table of their own: the
-- two values change with each interaction's row write, and an index on them in crm_customers would turn every such
-- write from an update in place (no index touched) into one that adds to every index of the row, its search and
-- match keys included. Column names differ from crm_customers' so that a join leaves the list's conditions as they are.
CREATE TABLE crm_customer_activity (
    tenant           text NOT NULL,
    customer         text COLLATE "C" NOT NULL,
    last_contact_key bigint NOT NULL,
    interactions     bigint NOT NULL,
    PRIMARY KEY (tenant, customer)
);
INSERT INTO crm_customer_activity (tenant, customer, last_contact_key, interactions)
SELECT tenant_id, customer_id, coalesce((extract(epoch FROM last_contact_at) * 1000000)::bigint, -9223372036854775808), total_interactions
FROM crm_customers;
CREATE INDEX crm_customer_activity_by_last_contact ON crm_customer_activity (tenant, last_contact_key, customer);
CREATE INDEX crm_customer_activity_by_interactions ON crm_customer_activity (tenant, interactions, customer);
