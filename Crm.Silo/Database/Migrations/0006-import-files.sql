-- Files imports keep (the upload, the rows it rejected), one row per chunk of at most 1 MiB, so that a file of any
-- size is stored and read back a chunk at a time, by whichever node runs the import.
CREATE TABLE crm_import_chunks (
    tenant_id text NOT NULL,
    import_id uuid NOT NULL,
    name      text NOT NULL,
    chunk_no  int NOT NULL,
    data      bytea NOT NULL,
    PRIMARY KEY (tenant_id, import_id, name, chunk_no)
);
