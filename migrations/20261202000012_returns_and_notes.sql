-- The referral loop, first part: a provider returns a CE referral to Coordinated Entry for a
-- rematch, the CoC's Priority List Manager reviews the return (confirms it or sends it back),
-- and both sides talk on the referral in an append-only note thread.

-- Why a provider hands a referral back: a CoC-configurable list (like the need statuses), each
-- reason mapped to HUD 4.20.D Referral Result (2 client rejected, 3 provider rejected), to a
-- default "If Not Housed, Reason" and to the "Rematch Needed" status the referral moves to.
create table return_reasons (
    id                      bigint generated always as identity primary key,
    coc_code                text not null references cocs(code),
    label                   text not null check (length(label) between 1 and 200),
    referral_result         smallint not null check (referral_result in (2, 3)),
    not_housed_reason_id    bigint references not_housed_reasons(id),
    need_status_id          bigint references referral_need_statuses(id),
    sort_order              integer not null,
    active                  boolean not null default true,
    version                 integer not null default 1,
    created_at              timestamptz not null default now(),
    updated_at              timestamptz not null default now(),
    deleted_at              timestamptz
);
create unique index return_reasons_label on return_reasons (coc_code, label) where deleted_at is null;

-- A CoC's default return reasons, mapped to its statuses and reasons of the same names where
-- they exist (a CoC that renamed them maps them on the administration page).
create function seed_return_reasons(coc text) returns void
language sql as $$
    insert into return_reasons (coc_code, label, referral_result, not_housed_reason_id, need_status_id, sort_order)
    select coc, d.label, d.result,
           (select r.id from not_housed_reasons r where r.label = d.not_housed and r.deleted_at is null order by r.id limit 1),
           (select s.id from referral_need_statuses s where s.coc_code = coc and s.name = d.status and s.deleted_at is null),
           d.sort_order
      from (values
        ('Client declined the housing offered', 2, 'Client declined the housing offered', 'CES: Rematch Needed: Client Declined', 1),
        ('Client found other housing', 2, 'Client found other housing', 'CES: Rematch Needed: Client Declined', 2),
        ('Unable to contact the client', 3, 'Client could not be contacted', 'CES: Rematch Needed: Unable to Contact Client', 3),
        ('Client ineligible for the project', 3, 'Client ineligible for the project', 'CES: Rematch Needed: Client Ineligible', 4),
        ('No unit available', 3, 'Unit not available or fell through', 'CES: Rematch Needed: Client Ineligible', 5)
      ) d(label, result, not_housed, status, sort_order)
     where not exists (select 1 from return_reasons x where x.coc_code = coc and x.deleted_at is null)
$$;
select seed_return_reasons(code) from cocs;

-- Each return of a CE referral, and the Priority List Manager's decision on it. While the
-- decision is pending the referral waits in the CoC's "Returned referrals" queue.
create table ce_event_returns (
    id                      bigint generated always as identity primary key,
    ce_event_id             bigint not null references ce_events(id),
    reason_id               bigint not null references return_reasons(id),
    note                    text not null check (length(note) between 1 and 2000),
    -- where the referral stood before, restored when the return is sent back
    previous_need_status_id bigint references referral_need_statuses(id),
    previous_need_status_due date,
    previous_date_acknowledged date,
    returned_on             date not null,
    returned_at             timestamptz not null default now(),
    returned_by             bigint not null references users(id),
    organization_id         bigint not null references organizations(id),
    decision                text check (decision in ('confirmed', 'sent_back')),
    decision_note           text check (length(decision_note) <= 2000),
    decided_at              timestamptz,
    decided_by              bigint references users(id),
    constraint decision_complete check ((decision is null) = (decided_at is null) and (decision is null) = (decided_by is null)),
    constraint sent_back_explained check (decision is distinct from 'sent_back' or length(decision_note) > 0)
);
-- one pending return per referral; the queue reads the pending ones
create unique index ce_event_returns_pending on ce_event_returns (ce_event_id) where decision is null;
create index ce_event_returns_event on ce_event_returns (ce_event_id, returned_at);

-- Notes on a referral (CE or non-CE): append-only, never edited or deleted.
create table referral_notes (
    id              bigint generated always as identity primary key,
    ce_event_id     bigint references ce_events(id),
    referral_id     bigint references referrals(id),
    body            text not null check (length(body) between 1 and 2000),
    author_id       bigint not null references users(id),
    organization_id bigint not null references organizations(id),
    created_at      timestamptz not null default now(),
    constraint one_referral check ((ce_event_id is null) <> (referral_id is null))
);
create index referral_notes_ce_event on referral_notes (ce_event_id, created_at) where ce_event_id is not null;
create index referral_notes_referral on referral_notes (referral_id, created_at) where referral_id is not null;
