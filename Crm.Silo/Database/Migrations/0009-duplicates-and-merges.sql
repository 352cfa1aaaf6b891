-- Duplicate detection reads what it compares from the customer list: each row's normalized names, emails, phones,
-- address and company (match_profile, written by the application) and its blocking keys (match_keys): customers
-- are compared only when they share a key, looked up in the GIN index. Rows written before are projection 2 and are
-- written again by their customers at start.
ALTER TABLE crm_customers
    ADD COLUMN match_keys    text[] NOT NULL DEFAULT '{}',
    ADD COLUMN match_profile jsonb;
CREATE INDEX crm_customers_match_keys ON crm_customers USING gin (tenant_id, match_keys) WHERE NOT deleted;

-- Candidate pairs, the lower customer id first. A dismissed pair ("not the same person") stays, so that it is not
-- offered again.
CREATE TABLE crm_duplicate_pairs (
    tenant_id      text NOT NULL,
    first_id       text COLLATE "C" NOT NULL,
    second_id      text COLLATE "C" NOT NULL,
    score          double precision NOT NULL,
    reasons        jsonb NOT NULL,
    exact_identity boolean NOT NULL,
    found_at       timestamptz NOT NULL,
    dismissed_at   timestamptz,
    dismissed_by   text,
    PRIMARY KEY (tenant_id, first_id, second_id)
);
CREATE INDEX crm_duplicate_pairs_by_score ON crm_duplicate_pairs (tenant_id, score DESC, first_id, second_id) WHERE dismissed_at IS NULL;
CREATE INDEX crm_duplicate_pairs_by_second ON crm_duplicate_pairs (tenant_id, second_id);

-- Every merge, for audit and undo: who merged which customers into which, what each was before, and whether it was
-- undone. The record (in Orleans' serialization) is the merge grain's state.
CREATE TABLE crm_merges (
    tenant_id   text NOT NULL,
    merge_id    uuid NOT NULL,
    survivor_id text NOT NULL,
    -- The survivor and the merged customers: a customer's merges are found by any of them.
    customer_ids text[] NOT NULL,
    merged_at   timestamptz NOT NULL,
    record      bytea NOT NULL,
    PRIMARY KEY (tenant_id, merge_id)
);
CREATE INDEX crm_merges_by_time ON crm_merges (tenant_id, merged_at DESC, merge_id);
CREATE INDEX crm_merges_by_customer ON crm_merges USING gin (tenant_id, customer_ids);

-- Where each interaction a merge moved came from, so that undoing the merge moves it back as it was.
CREATE TABLE crm_timeline_moves (
    tenant_id      text NOT NULL,
    merge_id       uuid NOT NULL,
    interaction_id uuid NOT NULL,
    from_customer  text NOT NULL,
    from_sequence  bigint NOT NULL,
    PRIMARY KEY (tenant_id, merge_id, interaction_id)
);
