-- A transfer request of a client who leaves the project is closed in the exit's transaction
-- (it was hidden from the queue and refused, but stayed "requested"). Requests already left so
-- by earlier exits are closed here, as of the exit.
alter table transfer_requests drop constraint transfer_requests_status_check;
alter table transfer_requests add constraint transfer_requests_status_check
    check (status in ('requested', 'referred', 'declined', 'closed'));

update transfer_requests t
   set status = 'closed', decided_at = x.created_at,
       decided_by = coalesce(x.created_by, x.updated_by, t.requested_by), version = t.version + 1
  from exits x
 where x.enrollment_id = t.enrollment_id and x.deleted_at is null and t.status = 'requested';
