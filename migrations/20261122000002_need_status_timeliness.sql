-- Referral Need Status timeliness: which status a referral moves to on acknowledgement and
-- resolution, and each referral's due date in its current status (computed by the app's
-- timeliness rule when the status changes; this SQL twin is for bulk loads and backfills and is
-- tested against the Rust rule).

alter table referral_need_statuses
    add column applies_on text check (applies_on in ('acknowledged', 'successful', 'unsuccessful'));
create unique index referral_need_statuses_applies_on on referral_need_statuses (coc_code, applies_on)
    where applies_on is not null and deleted_at is null;

update referral_need_statuses set applies_on = 'acknowledged' where name = 'CES: Attempted/Attempting Contact';
update referral_need_statuses set applies_on = 'successful' where name = 'CES: Enrolled';
update referral_need_statuses set applies_on = 'unsuccessful' where name = 'CES: Rematch Needed: Client Ineligible';

-- The last day a referral may stay in a status entered on `since` (weekends skipped for
-- business days). Mirrors app::domain::timeliness::due_date.
create function threshold_due_date(since date, days integer, business boolean) returns date
language sql immutable strict parallel safe as $$
    select case
        when not business then since + greatest(days, 0)
        when days <= 0 then since
        else (select d::date from generate_series(since + 1, since + days * 2 + 7, interval '1 day') d
               where extract(isodow from d) < 6
               order by d offset days - 1 limit 1)
    end
$$;

alter table ce_events add column need_status_due date;
update ce_events ev set need_status_due = threshold_due_date(ev.need_status_since::date, s.days_allowed, s.business_days)
  from referral_need_statuses s
 where s.id = ev.need_status_id and s.days_allowed is not null;

-- Incoming referrals of a project: unresolved ones, and recently resolved ones.
create index ce_events_open_by_project on ce_events (referred_project_id, need_status_id)
    include (date_referral_acknowledged, need_status_due)
    where deleted_at is null and referral_result is null;
create index ce_events_resolved_by_project on ce_events (referred_project_id, result_date)
    where deleted_at is null and referral_result is not null;
