-- The value segment a customer is in, lower-cased by the application as the other compared text, for segment rules
-- and search filters. Null until the tenant's value segments place the customer (which writes its row): rows
-- written before need nothing.
ALTER TABLE crm_customers ADD COLUMN value_segment text;
