-- The incoming-referral list pages by (event date, id) within the organization's projects and
-- only then reads the page's clients; this index answers both that page and the Counts widget
-- from the index alone (no heap), so it replaces ce_events_open_by_project.
create index ce_events_open_list on ce_events (referred_project_id, event_date, id)
    include (client_id, event, need_status_id, need_status_since, need_status_due, date_referral_acknowledged)
    where deleted_at is null and referral_result is null and closed_on is null;
drop index ce_events_open_by_project;
