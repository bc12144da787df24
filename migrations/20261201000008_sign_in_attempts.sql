-- Every password attempt (sign-in, and the current password of a password change) is recorded
-- before its password is verified, so a parallel burst cannot outrun the count; a success is
-- recorded as well (it marks the address as known for that user) and erases nothing.
alter table sign_in_failures rename to sign_in_attempts;
alter index sign_in_failures_username_at rename to sign_in_attempts_username_at;
alter table sign_in_attempts add column succeeded boolean not null default false;
update sign_in_attempts set ip = 'unknown' where ip is null;
alter table sign_in_attempts alter column ip set not null;
create index sign_in_attempts_ip_at on sign_in_attempts (ip, at);
