-- Which clients an organization may see, as one function the queries call (it was a SQL
-- fragment pasted into each query with format!, which compile-checked SQL cannot take):
-- - clients referred to (CE or non-CE) or enrolled in the organization's projects;
-- - for a CoC's Coordinated Entry organization (ce_coc set), every client of that CoC's CE
--   projects (HUD project type 14);
-- - System Administrators administer the whole HMIS and see every client.
create function client_in_scope(
    for_client bigint,
    for_organization bigint,
    ce_coc text,
    is_administrator boolean
) returns boolean
language sql stable parallel safe as $$
    select is_administrator
        or exists (select 1 from enrollments e join projects p on p.id = e.project_id
                    where e.client_id = for_client and e.deleted_at is null
                      and p.organization_id = for_organization)
        or exists (select 1 from ce_events ev join projects p on p.id = ev.referred_project_id
                    where ev.client_id = for_client and ev.deleted_at is null
                      and p.organization_id = for_organization)
        or exists (select 1 from referrals r
                     join projects p on p.id = r.to_project_id or p.id = r.from_project_id
                    where r.client_id = for_client and r.deleted_at is null
                      and p.organization_id = for_organization)
        or (ce_coc is not null and exists (
                   select 1 from enrollments e join projects p on p.id = e.project_id
                    where e.client_id = for_client and e.deleted_at is null
                      and p.project_type = 14 and p.coc_code = ce_coc))
$$;

-- A Referral Need Status with its CoC's holidays, which a business-day timeliness standard
-- skips (the due date of a referral entering the status).
create view need_status_standards as
select s.id, s.coc_code, s.name, s.is_final, s.is_initial, s.applies_on, s.days_allowed,
       s.business_days, s.sort_order, s.deleted_at,
       array(select h.holiday from coc_holidays h
              where h.coc_code = s.coc_code and h.deleted_at is null
              order by h.holiday) as holidays
  from referral_need_statuses s;
