-- The customer list by last contact or by number of interactions walks these indexes, in a table of their own: the
-- two values change with each interaction's row write, and an index on them in crm_customers would turn every such
-- write from an update in place (no index touched) into one that adds to every index of the row, its search and
-- match keys included. Column names differ from crm_customers' so that a join leaves the list's conditions as they
-- are. Kept by triggers, like crm_match_keys, so that every writer of the list keeps it (a silo of the previous
-- version during an upgrade included); deleted customers have no row.
CREATE TABLE crm_customer_activity (
    tenant           text NOT NULL,
    customer         text COLLATE "C" NOT NULL,
    -- As CustomerSort orders it: microseconds, a customer never contacted as the least.
    last_contact_key bigint NOT NULL,
    interactions     bigint NOT NULL,
    PRIMARY KEY (tenant, customer)
);

CREATE FUNCTION crm_activity_key(at timestamptz) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce((extract(epoch FROM at) * 1000000)::bigint, -9223372036854775808)
$$;

CREATE FUNCTION crm_insert_customer_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO crm_customer_activity (tenant, customer, last_contact_key, interactions)
    SELECT n.tenant_id, n.customer_id, crm_activity_key(n.last_contact_at), n.total_interactions FROM inserted AS n WHERE NOT n.deleted
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION crm_sync_customer_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.deleted THEN
        DELETE FROM crm_customer_activity WHERE tenant = OLD.tenant_id AND customer = OLD.customer_id;
    ELSE
        INSERT INTO crm_customer_activity (tenant, customer, last_contact_key, interactions)
        VALUES (NEW.tenant_id, NEW.customer_id, crm_activity_key(NEW.last_contact_at), NEW.total_interactions)
        ON CONFLICT (tenant, customer) DO UPDATE SET last_contact_key = excluded.last_contact_key, interactions = excluded.interactions;
    END IF;
    RETURN NULL;
END
$$;

-- Creating the triggers waits for the list's writers and holds new ones until this script commits, so that the copy
-- below misses no row written meanwhile (about ten seconds at a million customers).
CREATE TRIGGER crm_customers_activity_inserted AFTER INSERT ON crm_customers
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION crm_insert_customer_activity();
CREATE TRIGGER crm_customers_activity_updated AFTER UPDATE OF total_interactions, last_contact_at, deleted ON crm_customers
    FOR EACH ROW WHEN (OLD.total_interactions IS DISTINCT FROM NEW.total_interactions
        OR OLD.last_contact_at IS DISTINCT FROM NEW.last_contact_at OR OLD.deleted IS DISTINCT FROM NEW.deleted)
    EXECUTE FUNCTION crm_sync_customer_activity();
CREATE TRIGGER crm_customers_activity_deleted AFTER DELETE ON crm_customers
    FOR EACH ROW EXECUTE FUNCTION crm_sync_customer_activity();

INSERT INTO crm_customer_activity (tenant, customer, last_contact_key, interactions)
SELECT tenant_id, customer_id, crm_activity_key(last_contact_at), total_interactions FROM crm_customers WHERE NOT deleted
ORDER BY 1, 2;
CREATE INDEX crm_customer_activity_by_last_contact ON crm_customer_activity (tenant, last_contact_key, customer);
CREATE INDEX crm_customer_activity_by_interactions ON crm_customer_activity (tenant, interactions, customer);
