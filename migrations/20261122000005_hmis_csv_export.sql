-- HMIS CSV FY2026 export (HUD HMIS CSV Format Specifications FY2026 v1.0).

-- Export.csv ImplementationID: "vendor id for the source database; stable over time".
create table installation (
    singleton   boolean primary key default true check (singleton),
    id          text not null default replace(gen_random_uuid()::text, '-', '') check (length(id) between 1 and 200),
    created_at  timestamptz not null default now()
);
insert into installation default values;

-- Records written by the system (demo data, migrations) carry no user; HUD's UserID is
-- required in every file, so the export names this user for them. It can never sign in.
alter table users add column is_system boolean not null default false;
insert into users (username, first_name, last_name, password_hash, active, is_system)
values ('threshold-system', 'Threshold', 'System', '!', false, true);
create unique index users_one_system on users (is_system) where is_system;

-- One row per export: who asked for which CoC and period, its progress, the validator's
-- verdict and, once ready, the ZIP kept on the server for download.
create table hmis_exports (
    id                  bigint generated always as identity primary key,
    export_id           text not null unique check (export_id ~ '^[0-9a-f]{32}$'),
    coc_code            text not null references cocs(code),
    -- ExportPeriodType: 1 Updated, 3 Reporting period
    period_type         smallint not null check (period_type in (1, 3)),
    start_date          date not null,
    end_date            date not null check (end_date >= start_date),
    status              text not null default 'running' check (status in ('running', 'ready', 'refused', 'failed', 'expired')),
    phase               text,
    rows_done           bigint not null default 0,
    rows_total          bigint,
    row_counts          jsonb,
    violation_count     integer not null default 0,
    violations          jsonb,
    file_path           text,
    file_size           bigint,
    organization_id     bigint references organizations(id),
    started_at          timestamptz not null default now(),
    finished_at         timestamptz,
    constraint ready_has_file check (status <> 'ready' or file_path is not null),
    version             integer not null default 1,
    created_at          timestamptz not null default now(),
    created_by          bigint not null references users(id),
    updated_at          timestamptz not null default now(),
    updated_by          bigint references users(id),
    deleted_at          timestamptz
);
create index hmis_exports_by_user on hmis_exports (created_by, started_at desc) where deleted_at is null;
-- One export at a time per CoC: an export reads the whole CoC.
create unique index hmis_exports_one_running on hmis_exports (coc_code) where status = 'running';

-- The Updated period type selects rows changed in a range.
create index enrollments_updated on enrollments (updated_at);
create index exits_updated on exits (updated_at);
create index clients_updated on clients (updated_at);
create index ce_events_updated on ce_events (updated_at);
