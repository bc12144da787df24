-- Intake drafts that were submitted or discarded before answers were emptied on ending them
-- still hold those answers, full SSNs included: empty them too.
update intake_drafts set data = '{}'::jsonb where deleted_at is not null and data <> '{}'::jsonb;
