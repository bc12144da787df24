-- Exiting a client from Coordinated Entry closes every CE referral still open on that CE
-- enrollment (HUD 4.20 has no Referral Result for it): a closed referral leaves every list and
-- count of open referrals and can no longer be acknowledged or resolved.
alter table ce_events
    add column closed_on date,
    add column closed_by_exit_id bigint references exits(id),
    add constraint closed_only_unresolved check (closed_on is null or referral_result is null);

drop index ce_events_open_by_project;
create index ce_events_open_by_project on ce_events (referred_project_id, need_status_id)
    include (date_referral_acknowledged, need_status_due)
    where deleted_at is null and referral_result is null and closed_on is null;
