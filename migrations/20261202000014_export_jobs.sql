-- HMIS CSV exports as shared state (several server instances over one database):
-- a started export is queued; any instance claims it (FOR UPDATE SKIP LOCKED) and keeps a
-- heartbeat while it runs; an export whose heartbeat stopped is taken over, and after three
-- attempts marked failed. The ZIP is stored here in pieces, not on a server's disk.
alter table hmis_exports drop constraint hmis_exports_status_check;
alter table hmis_exports add constraint hmis_exports_status_check
    check (status in ('queued', 'running', 'ready', 'refused', 'failed', 'expired'));
alter table hmis_exports alter column status set default 'queued';

-- Exports of the earlier layout: a ZIP on one server's disk is no longer served, and an
-- export that was running there cannot finish.
update hmis_exports
   set status = 'expired', phase = 'Removed from the server: create it again.',
       version = version + 1, updated_at = now()
 where status = 'ready';
update hmis_exports
   set status = 'failed', phase = 'Interrupted by a server upgrade: start the export again.',
       finished_at = now(), version = version + 1, updated_at = now()
 where status = 'running';
alter table hmis_exports drop constraint ready_has_file;
alter table hmis_exports drop column file_path;

alter table hmis_exports
    add column claim uuid,
    add column claimed_by text check (length(claimed_by) <= 200),
    add column heartbeat_at timestamptz,
    add column attempts smallint not null default 0 check (attempts >= 0),
    add constraint running_is_claimed
        check (status <> 'running' or (claim is not null and heartbeat_at is not null));

-- One export at a time per CoC (an export reads the whole CoC), queued ones included.
drop index hmis_exports_one_running;
create unique index hmis_exports_one_running on hmis_exports (coc_code)
    where status in ('queued', 'running');
-- What the workers look for.
create index hmis_exports_waiting on hmis_exports (started_at, id)
    where status in ('queued', 'running');

create table hmis_export_chunks (
    export_row  bigint not null references hmis_exports(id) on delete cascade,
    seq         integer not null check (seq >= 0),
    bytes       bytea not null check (octet_length(bytes) between 1 and 1048576),
    primary key (export_row, seq)
);
-- A ZIP is compressed already.
alter table hmis_export_chunks alter column bytes set storage external;
