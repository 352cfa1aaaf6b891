-- Which kind of tracked event recorded a timeline entry ("track", "page", "screen"); null for what people log.
-- A customer grain that catches up with its timeline after a crash counts its engagement from it.
ALTER TABLE crm_timeline ADD COLUMN event_type text;
