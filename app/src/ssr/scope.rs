//! Which clients an organization may see (issue: "a client outside the scope is not found").
//! - clients referred to (CE or non-CE) or enrolled in the organization's projects;
//! - for a CoC's Coordinated Entry organization, every client of that CoC's CE projects;
//! - System Administrators administer the whole HMIS and see every client.

use crate::domain::access::{ActiveContext, Workgroup};

/// A SQL predicate over the alias `c` (clients). Binds: `$1` organization id (bigint),
/// `$2` the CE organization's CoC code (text, null if none), `$3` is-administrator (bool).
pub const CLIENT_IN_SCOPE: &str = "(
    $3::boolean
    or exists (select 1 from enrollments e join projects p on p.id = e.project_id
               where e.client_id = c.id and e.deleted_at is null and p.organization_id = $1)
    or exists (select 1 from ce_events ev join projects p on p.id = ev.referred_project_id
               where ev.client_id = c.id and ev.deleted_at is null and p.organization_id = $1)
    or exists (select 1 from referrals r join projects p on p.id = r.to_project_id or p.id = r.from_project_id
               where r.client_id = c.id and r.deleted_at is null and p.organization_id = $1)
    or ($2::text is not null and exists (
               select 1 from enrollments e join projects p on p.id = e.project_id
               where e.client_id = c.id and e.deleted_at is null
                 and p.project_type = 14 and p.coc_code = $2::text))
)";

/// The three bind values of [`CLIENT_IN_SCOPE`] for a context.
pub fn binds(context: &ActiveContext) -> (i64, Option<String>, bool) {
    (
        context.organization_id,
        context.ce_for_coc.clone(),
        context.workgroup == Workgroup::SystemAdministrator,
    )
}
