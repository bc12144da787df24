-- Transfer requests (article 001, Coordinated Entry Transfer Policy): a provider whose enrolled
-- client needs another project type or provider asks Coordinated Entry; the CoC's Priority List
-- Manager refers the client to a new opening (the CE Event is linked) or declines with a note.
create table transfer_requests (
    id                      bigint generated always as identity primary key,
    enrollment_id           bigint not null references enrollments(id),
    client_id               bigint not null references clients(id),
    -- the provider asking, and the CoC whose Coordinated Entry answers
    organization_id         bigint not null references organizations(id),
    coc_code                text not null references cocs(code),
    reason                  text not null check (reason in ('safety', 'service_needs', 'household_change', 'location', 'other')),
    wanted_project_type     smallint check (wanted_project_type between 0 and 14),
    wanted_organization_id  bigint references organizations(id),
    note                    text not null check (length(note) between 1 and 2000),
    status                  text not null default 'requested' check (status in ('requested', 'referred', 'declined')),
    ce_event_id             bigint references ce_events(id),
    decision_note           text check (length(decision_note) <= 2000),
    requested_on            date not null,
    requested_at            timestamptz not null default now(),
    requested_by            bigint not null references users(id),
    decided_at              timestamptz,
    decided_by              bigint references users(id),
    version                 integer not null default 1,
    constraint wants_something check (wanted_project_type is not null or wanted_organization_id is not null),
    constraint referred_names_its_event check ((status = 'referred') = (ce_event_id is not null)),
    constraint declined_explained check (status <> 'declined' or length(decision_note) > 0),
    constraint decided_complete check ((status = 'requested') = (decided_at is null) and (decided_at is null) = (decided_by is null))
);
-- one request awaiting an answer per enrollment; the queue reads the CoC's waiting ones
create unique index transfer_requests_pending on transfer_requests (enrollment_id) where status = 'requested';
create index transfer_requests_queue on transfer_requests (coc_code, requested_at) where status = 'requested';
create index transfer_requests_enrollment on transfer_requests (enrollment_id, requested_at);

alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check
    check (kind in ('referral_received', 'referral_returned', 'return_confirmed', 'return_sent_back',
                    'note_added', 'referral_resolved', 'referral_due_tomorrow', 'referral_overdue',
                    'transfer_requested', 'transfer_referred', 'transfer_declined'));
