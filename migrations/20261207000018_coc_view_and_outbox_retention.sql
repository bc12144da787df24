-- The CoC view reads the referrals of the last 90 days by Event Date (the open ones come from
-- ce_events_open_list).
create index ce_events_event_date on ce_events (event_date) where deleted_at is null;

-- The timeliness sweep deletes e-mails sent or given up more than 30 days ago (outbox
-- retention); this index finds the oldest of them without reading the whole outbox every minute.
-- (Not built concurrently: the outbox of a deployment this young is small.)
create index outbox_done on outbox ((coalesce(sent_at, failed_at)), id)
    where sent_at is not null or failed_at is not null;
