-- Non-CE reassignment (article 003): the receiving organization says a referral was sent
-- incorrectly or needs reassignment; the referring organization reassigns it (a new referral
-- linked to the old, the old one closed) or withdraws it (closed). Neither edits the other's.
alter table referrals add column closed_on date;
alter table referrals add column closed_reason text check (closed_reason in ('reassigned', 'withdrawn'));
alter table referrals add column reassigned_from bigint references referrals(id);
alter table referrals add constraint closed_explained check ((closed_on is null) = (closed_reason is null));
alter table referrals add constraint closed_not_resolved check (closed_on is null or result is null);

create table referral_reassignments (
    id              bigint generated always as identity primary key,
    referral_id     bigint not null references referrals(id),
    note            text not null check (length(note) between 1 and 2000),
    requested_by    bigint not null references users(id),
    -- the receiving organization that asked
    organization_id bigint not null references organizations(id),
    requested_at    timestamptz not null default now(),
    decision        text check (decision in ('reassigned', 'withdrawn')),
    new_referral_id bigint references referrals(id),
    decided_by      bigint references users(id),
    decided_at      timestamptz,
    constraint decided_complete check ((decision is null) = (decided_at is null) and (decision is null) = (decided_by is null)),
    constraint reassigned_names_new check ((decision = 'reassigned') = (new_referral_id is not null))
);
create unique index referral_reassignments_pending on referral_reassignments (referral_id) where decision is null;

alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check
    check (kind in ('referral_received', 'referral_returned', 'return_confirmed', 'return_sent_back',
                    'note_added', 'referral_resolved', 'referral_due_tomorrow', 'referral_overdue',
                    'transfer_requested', 'transfer_referred', 'transfer_declined',
                    'reassignment_requested', 'referral_reassigned', 'referral_withdrawn'));
