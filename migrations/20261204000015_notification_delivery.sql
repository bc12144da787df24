-- How notifications reach people beyond the bell: each user's delivery preference, an outbox of
-- e-mails any instance's worker sends (claimed with FOR UPDATE SKIP LOCKED, retried with
-- backoff), the once-a-day digests, and the timeliness sweep's once-per-transition notices.
-- E-mails carry no client name or other personal data: only what happened and a link.

alter table users add column notification_delivery text not null default 'in_app'
    check (notification_delivery in ('in_app', 'email_now', 'daily_digest'));

alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check
    check (kind in ('referral_received', 'referral_returned', 'return_confirmed', 'return_sent_back',
                    'note_added', 'referral_resolved', 'referral_due_tomorrow', 'referral_overdue'));
-- set when a daily digest listed it (a notification is in one digest at most)
alter table notifications add column digested_at timestamptz;

create table outbox (
    id              bigint generated always as identity primary key,
    user_id         bigint references users(id),
    recipient       text not null check (length(recipient) between 3 and 320),
    subject         text not null check (length(subject) between 1 and 200),
    body            text not null check (length(body) between 1 and 20000),
    created_at      timestamptz not null default now(),
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    -- the worker (instance) sending it now, and until when its claim holds
    claimed_by      text,
    claimed_until   timestamptz,
    sent_at         timestamptz,
    failed_at       timestamptz,
    -- the mail server's last refusal, for the System Administrator (never shown to others)
    last_error      text check (length(last_error) <= 500),
    constraint sent_or_failed check (sent_at is null or failed_at is null)
);
create index outbox_waiting on outbox (next_attempt_at, id) where sent_at is null and failed_at is null;
create index outbox_latest on outbox (created_at desc, id desc);

-- One digest per user and day, whichever instance makes it.
create table notification_digests (
    user_id     bigint not null references users(id),
    day         date not null,
    created_at  timestamptz not null default now(),
    primary key (user_id, day)
);

-- What the timeliness sweep already told: once per referral, transition and due date (a new
-- status with a new due date may become due and overdue again).
create table timeliness_notices (
    ce_event_id bigint not null references ce_events(id),
    transition  text not null check (transition in ('due_tomorrow', 'overdue')),
    due_on      date not null,
    notified_at timestamptz not null default now(),
    primary key (ce_event_id, transition, due_on)
);
