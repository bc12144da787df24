-- In-app notifications: one row per recipient, a deep link to the record, and no client name
-- or other personal data in the text (HMIS privacy: the same text may go out by e-mail).
create table notifications (
    id          bigint generated always as identity primary key,
    user_id     bigint not null references users(id),
    kind        text not null check (kind in ('referral_received', 'referral_returned', 'return_confirmed',
                                              'return_sent_back', 'note_added', 'referral_resolved')),
    message     text not null check (length(message) between 1 and 300),
    link        text not null check (link ~ '^/[A-Za-z0-9/_?=&%-]*$'),
    -- the organization whose work it is about, so a user who left it stops seeing it
    organization_id bigint not null references organizations(id),
    created_at  timestamptz not null default now(),
    read_at     timestamptz
);
create index notifications_unread on notifications (user_id, created_at desc) where read_at is null;
create index notifications_user on notifications (user_id, created_at desc);
