-- The holidays each CoC observes: its business-day timeliness standards skip them
-- (app::domain::timeliness::due_date). Kept by a System Administrator on the Referral Need
-- Statuses page.
create table coc_holidays (
    id          bigint generated always as identity primary key,
    coc_code    text not null references cocs(code),
    holiday     date not null check (extract(year from holiday) between 2000 and 2099),
    name        text not null check (length(name) between 1 and 100),
    version     integer not null default 1,
    created_at  timestamptz not null default now(),
    created_by  bigint references users(id),
    updated_at  timestamptz not null default now(),
    updated_by  bigint references users(id),
    deleted_at  timestamptz,
    -- weekends never count as business days: a holiday is listed on the weekday it is observed
    constraint coc_holidays_weekday check (extract(isodow from holiday) < 6)
);
create unique index coc_holidays_one_per_day on coc_holidays (coc_code, holiday) where deleted_at is null;

-- The due-date rule's SQL twin learns the holidays (weekends and `holidays` skipped for business
-- days). Mirrors app::domain::timeliness::due_date, and is tested against it. Each holiday
-- removes at most one weekday, hence the search window.
create function threshold_due_date(since date, days integer, business boolean, holidays date[]) returns date
language sql immutable strict parallel safe as $$
    select case
        when not business then since + greatest(days, 0)
        when days <= 0 then since
        else (select d::date from generate_series(since + 1, since + days * 2 + 7 + cardinality(holidays), interval '1 day') d
               where extract(isodow from d) < 6 and d::date <> all (holidays)
               order by d offset days - 1 limit 1)
    end
$$;
drop function threshold_due_date(date, integer, boolean);
