-- pgbench: the statements one CE Event save needs at the least (the update and its audit row, in
-- one transaction), each client on its own event as each wrk session is (bench_save_events).
\set n :client_id + 1
begin;
update ce_events set provider_contact_name = 'Casey Moreno', version = version + 1, updated_at = now(), updated_by = 1
 where id = (select id from bench_save_events where n = :n) and closed_on is null returning version;
insert into audit_log (user_id, organization_id, workgroup, action, entity, entity_id, before, after)
values (1, 1, 1, 'save', 'ce_event', (select id from bench_save_events where n = :n),
        '{"Event Date": "01/02/2026", "Event": "Referral to PSH project resource opening", "Referred to": "Provider 001 PSH", "Date Referral Acknowledged": "01/03/2026", "Housing Provider Contact Name": "Casey Moreno", "Housing Provider Contact Phone": null, "Housing Provider Contact Email": null, "Referral Result": null, "Result Date": null, "Resulting Enrollment": null, "If Not Housed, Reason": null, "Referral Need Status": "CES: Client Engaged, In Progress to Enrollment"}',
        '{"Event Date": "01/02/2026", "Event": "Referral to PSH project resource opening", "Referred to": "Provider 001 PSH", "Date Referral Acknowledged": "01/03/2026", "Housing Provider Contact Name": "Casey Moreno", "Housing Provider Contact Phone": null, "Housing Provider Contact Email": null, "Referral Result": null, "Result Date": null, "Resulting Enrollment": null, "If Not Housed, Reason": null, "Referral Need Status": "CES: Client Engaged, In Progress to Enrollment"}');
end;
