-- Sessions (app::ssr::sessions): the table tower-sessions-sqlx-store used to create at start-up,
-- now part of the migrations so that its queries are compile-checked with the rest. Existing
-- databases keep their table and sessions.
create schema if not exists tower_sessions;
create table if not exists tower_sessions.session (
    id          text primary key not null,
    data        bytea not null,
    expiry_date timestamptz not null
);
