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

/// The client's name as people see it, if the context may see the client (migration 0010's
/// `client_in_scope` is the same predicate as [`CLIENT_IN_SCOPE`], as a function).
pub async fn client_name_in_scope(
    db: impl sqlx::PgExecutor<'_>,
    context: &ActiveContext,
    client_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query!(
        "select c.first_name, c.middle_name, c.last_name, c.name_suffix from clients c
          where c.id = $1 and c.deleted_at is null and client_in_scope(c.id, $2, $3, $4)",
        client_id,
        context.organization_id,
        context.ce_for_coc.as_deref(),
        context.workgroup == Workgroup::SystemAdministrator,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|c| {
        crate::domain::names::display_name(
            c.first_name.as_deref(),
            c.middle_name.as_deref(),
            c.last_name.as_deref(),
            c.name_suffix.as_deref(),
        )
    }))
}
