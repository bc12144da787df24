//! Server functions of user administration (System Administrators only): users, initial and
//! reset passwords, deactivation, and Workgroup × Organization memberships. Also the programs
//! list every signed-in user may read.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    crate::domain::access::{check_new_password, normalize_username, Workgroup},
    crate::domain::contact::{Email, Phone},
    crate::error::FieldErrors,
    crate::ssr::{audit, auth, pool, respond},
    serde_json::json,
    sqlx::PgConnection,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub active: bool,
    pub memberships: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipRow {
    pub id: i64,
    pub workgroup: String,
    pub organization: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub id: i64,
    pub version: i32,
    pub username: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub must_change_password: bool,
    pub memberships: Vec<MembershipRow>,
    /// Every organization, for the grant form: (id, name).
    pub organizations: Vec<(i64, String)>,
    /// The administrator is looking at their own record (they cannot grant themselves anything).
    pub is_self: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramRow {
    pub project: String,
    pub project_type: String,
    pub coc: String,
    pub receives_ce_referrals: bool,
    pub organization: String,
}

#[server(endpoint = "admin/users")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    respond(
        async {
            auth::require_administrator().await?;
            let rows: Vec<(i64, String, String, String, bool, Vec<String>)> = sqlx::query_as(
                "select u.id, u.username, u.first_name, u.last_name, u.active,
                        coalesce(array_agg(case m.workgroup when 1 then 'HMIS User' when 2 then 'Coordinated Entry Assessor'
                                   when 3 then 'Priority List Manager' else 'System Administrator' end || ' · ' || o.name
                                   order by o.name, m.workgroup) filter (where m.id is not null), '{}')
                   from users u
                   left join memberships m on m.user_id = u.id and m.deleted_at is null
                   left join organizations o on o.id = m.organization_id
                  where u.deleted_at is null and not u.is_system
                  group by u.id order by u.username",
            )
            .fetch_all(&pool()?)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(id, username, first, last, active, memberships)| UserRow {
                    id,
                    username,
                    name: format!("{first} {last}"),
                    active,
                    memberships,
                })
                .collect())
        }
        .await,
    )
}

/// Creates a user with an initial password they must change at first sign-in.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "admin/users/create")]
pub async fn create_user(
    username: String,
    first_name: String,
    last_name: String,
    #[server(default)] email: String,
    #[server(default)] phone: String,
    initial_password: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let mut errors = FieldErrors::new();
            let username = errors.check("username", normalize_username(&username));
            let name_ok = |v: &str| (1..=50).contains(&v.trim().chars().count());
            if !name_ok(&first_name) {
                errors.add("first_name", "Enter the first name (at most 50 characters).");
            }
            if !name_ok(&last_name) {
                errors.add("last_name", "Enter the last name (at most 50 characters).");
            }
            let email = match email.trim() {
                "" => None,
                raw => errors.check("email", Email::parse(raw)).map(|e| e.into_string()),
            };
            let phone = match phone.trim() {
                "" => None,
                raw => errors.check("phone", Phone::parse(raw)).map(|p| p.into_digits()),
            };
            if let Some(username) = &username {
                errors.check("initial_password", check_new_password(&initial_password, username));
            }
            errors.into_result()?;
            let username = username.ok_or(AppError::BadRequest)?;
            let hash = crate::ssr::passwords::hash(initial_password.clone()).await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as(
                "insert into users (username, first_name, last_name, email, phone, password_hash, must_change_password, created_by, updated_by)
                 values ($1, $2, $3, $4, $5, $6, true, $7, $7) returning id",
            )
            .bind(&username)
            .bind(first_name.trim())
            .bind(last_name.trim())
            .bind(&email)
            .bind(&phone)
            .bind(&hash)
            .bind(actor.user_id)
            .fetch_one(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "user.create",
                    entity: "user",
                    entity_id: Some(id),
                    before: None,
                    after: Some(json!({ "Username": username, "First name": first_name.trim(), "Last name": last_name.trim(),
                                        "Email": email, "Phone": phone.as_deref().map(crate::domain::contact::format_phone),
                                        "Password": "Initial password, to be changed at first sign-in" })),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            leptos_axum::redirect(&format!("/admin/users/{id}"));
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "admin/users/get")]
pub async fn get_user(user_id: i64) -> Result<UserDetail, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            type Row = (i64, i32, String, String, String, Option<String>, Option<String>, bool, bool);
            let row: Option<Row> = sqlx::query_as(
                "select id, version, username, first_name, last_name, email, phone, active, must_change_password
                   from users where id = $1 and deleted_at is null and not is_system",
            )
            .bind(user_id)
            .fetch_optional(&pool)
            .await?;
            let (id, version, username, first, last, email, phone, active, must_change_password) =
                row.ok_or(AppError::NotFound)?;
            let memberships: Vec<(i64, i16, String)> = sqlx::query_as(
                "select m.id, m.workgroup, o.name from memberships m join organizations o on o.id = m.organization_id
                  where m.user_id = $1 and m.deleted_at is null order by o.name, m.workgroup",
            )
            .bind(user_id)
            .fetch_all(&pool)
            .await?;
            let organizations = sqlx::query_as(
                "select id, name from organizations where deleted_at is null order by name",
            )
            .fetch_all(&pool)
            .await?;
            Ok(UserDetail {
                id,
                version,
                username,
                name: format!("{first} {last}"),
                email,
                phone: phone.map(|p| crate::domain::contact::format_phone(&p)),
                active,
                must_change_password,
                memberships: memberships
                    .into_iter()
                    .map(|(id, workgroup, organization)| MembershipRow {
                        id,
                        workgroup: Workgroup::from_code(workgroup)
                            .map(|w| w.label().to_string())
                            .unwrap_or_default(),
                        organization,
                    })
                    .collect(),
                organizations,
                is_self: id == actor.user_id,
            })
        }
        .await,
    )
}

/// Locks the user row and checks its version (`None` for membership changes: adding or
/// removing one Workgroup × Organization pair cannot lose anyone's edit, and the user's own
/// password change must not block them); no one changes their own access.
#[cfg(feature = "ssr")]
async fn lock_user(
    conn: &mut PgConnection,
    actor: &auth::Actor,
    user_id: i64,
    version: Option<i32>,
) -> Result<(), AppError> {
    if user_id == actor.user_id {
        return Err(AppError::field(
            "user",
            "You cannot change your own access: ask another System Administrator.",
        ));
    }
    let row: Option<(i32,)> =
        sqlx::query_as("select version from users where id = $1 and deleted_at is null and not is_system for update")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        None => Err(AppError::NotFound),
        Some((v,)) if version.is_some_and(|version| v != version) => Err(AppError::Conflict),
        Some(_) => Ok(()),
    }
}

/// The user's access changed: bump the version (and, to end sessions, the auth epoch).
#[cfg(feature = "ssr")]
async fn bump(
    conn: &mut PgConnection,
    actor: &auth::Actor,
    user_id: i64,
    end_sessions: bool,
) -> Result<i32, AppError> {
    let (version,): (i32,) = sqlx::query_as(
        "update users set version = version + 1, auth_epoch = auth_epoch + case when $3 then 1 else 0 end,
                updated_at = now(), updated_by = $2
          where id = $1 returning version",
    )
    .bind(user_id)
    .bind(actor.user_id)
    .bind(end_sessions)
    .fetch_one(conn)
    .await?;
    Ok(version)
}

#[cfg(feature = "ssr")]
async fn organization_name(conn: &mut PgConnection, id: i64) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("select name from organizations where id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// Refuses a change that would leave no active System Administrator. Takes the lock every
/// such change takes, so two administrators removing each other cannot both succeed.
#[cfg(feature = "ssr")]
async fn keep_an_administrator(conn: &mut PgConnection) -> Result<(), AppError> {
    sqlx::query("select pg_advisory_xact_lock(7420001)")
        .execute(&mut *conn)
        .await?;
    let (count,): (i64,) = sqlx::query_as(
        "select count(distinct u.id) from users u join memberships m on m.user_id = u.id
          where m.workgroup = 4 and m.deleted_at is null and u.active and u.deleted_at is null",
    )
    .fetch_one(&mut *conn)
    .await?;
    if count == 0 {
        return Err(AppError::field(
            "user",
            "This is the last active System Administrator: grant the role to someone else first.",
        ));
    }
    Ok(())
}

#[server(endpoint = "admin/memberships/grant")]
pub async fn grant_membership(
    user_id: i64,
    workgroup: String,
    organization_id: String,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            lock_user(&mut tx, &actor, user_id, None).await?;
            let mut errors = FieldErrors::new();
            let workgroup = workgroup.trim().parse::<i16>().ok().and_then(Workgroup::from_code);
            if workgroup.is_none() {
                errors.add("workgroup", "Choose a Workgroup.");
            }
            let organization = organization_id.trim().parse::<i64>().ok();
            let exists = match organization {
                Some(id) => sqlx::query_scalar::<_, bool>(
                    "select exists (select 1 from organizations where id = $1 and deleted_at is null)",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?,
                None => false,
            };
            if !exists {
                errors.add("organization", "Choose an Organization.");
            }
            errors.into_result()?;
            let (workgroup, organization) = (workgroup.ok_or(AppError::BadRequest)?, organization.ok_or(AppError::BadRequest)?);
            let held: bool = sqlx::query_scalar(
                "select exists (select 1 from memberships where user_id = $1 and organization_id = $2 and workgroup = $3 and deleted_at is null)",
            )
            .bind(user_id)
            .bind(organization)
            .bind(workgroup.code())
            .fetch_one(&mut *tx)
            .await?;
            if held {
                return Err(AppError::field("organization", "The user already holds this Workgroup in this Organization."));
            }
            let (membership,): (i64,) = sqlx::query_as(
                "insert into memberships (user_id, organization_id, workgroup, created_by, updated_by)
                 values ($1, $2, $3, $4, $4) returning id",
            )
            .bind(user_id)
            .bind(organization)
            .bind(workgroup.code())
            .bind(actor.user_id)
            .fetch_one(&mut *tx)
            .await?;
            let version = bump(&mut tx, &actor, user_id, false).await?;
            let organization_label = organization_name(&mut tx, organization).await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "membership.grant",
                    entity: "user",
                    entity_id: Some(user_id),
                    before: None,
                    after: Some(json!({ "Workgroup": workgroup.label(), "Organization": organization_label, "Membership": membership })),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            Ok(version)
        }
        .await,
    )
}

/// Revokes a membership: the user's next request in that context is refused.
#[server(endpoint = "admin/memberships/revoke")]
pub async fn revoke_membership(user_id: i64, membership_id: i64) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            lock_user(&mut tx, &actor, user_id, None).await?;
            let revoked: Option<(i16, i64)> = sqlx::query_as(
                "update memberships set deleted_at = now(), version = version + 1, updated_at = now(), updated_by = $3
                  where id = $1 and user_id = $2 and deleted_at is null returning workgroup, organization_id",
            )
            .bind(membership_id)
            .bind(user_id)
            .bind(actor.user_id)
            .fetch_optional(&mut *tx)
            .await?;
            let (workgroup, organization) = revoked.ok_or(AppError::field(
                "user",
                "That membership was already revoked.",
            ))?;
            keep_an_administrator(&mut tx).await?;
            let version = bump(&mut tx, &actor, user_id, false).await?;
            let organization_label = organization_name(&mut tx, organization).await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "membership.revoke",
                    entity: "user",
                    entity_id: Some(user_id),
                    before: Some(json!({ "Workgroup": Workgroup::from_code(workgroup).map(|w| w.label()), "Organization": organization_label, "Membership": membership_id })),
                    after: None,
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            Ok(version)
        }
        .await,
    )
}

/// Deactivates (ending every session at once) or reactivates a user.
#[server(endpoint = "admin/users/active")]
pub async fn set_user_active(user_id: i64, version: i32, active: bool) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            lock_user(&mut tx, &actor, user_id, Some(version)).await?;
            sqlx::query("update users set active = $2 where id = $1")
                .bind(user_id)
                .bind(active)
                .execute(&mut *tx)
                .await?;
            if !active {
                keep_an_administrator(&mut tx).await?;
            }
            let version = bump(&mut tx, &actor, user_id, !active).await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: if active {
                        "user.reactivate"
                    } else {
                        "user.deactivate"
                    },
                    entity: "user",
                    entity_id: Some(user_id),
                    before: Some(json!({ "Active": !active })),
                    after: Some(json!({ "Active": active })),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            Ok(version)
        }
        .await,
    )
}

/// Sets a new initial password the user must change at next sign-in; their sessions end.
#[server(endpoint = "admin/users/reset_password")]
pub async fn reset_password(
    user_id: i64,
    version: i32,
    new_password: String,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            // The policy check and the (slow, bounded) hash come before the row lock, so the
            // lock is never held while waiting for a hash slot.
            let (username,): (String,) = sqlx::query_as("select username from users where id = $1")
                .bind(user_id)
                .fetch_one(&pool)
                .await?;
            check_new_password(&new_password, &username)
                .map_err(|m| AppError::field("new_password", m))?;
            let hash = crate::ssr::passwords::hash(new_password.clone()).await?;
            let mut tx = pool.begin().await?;
            lock_user(&mut tx, &actor, user_id, Some(version)).await?;
            sqlx::query(
                "update users set password_hash = $2, must_change_password = true where id = $1",
            )
            .bind(user_id)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
            let version = bump(&mut tx, &actor, user_id, true).await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "user.reset_password",
                    entity: "user",
                    entity_id: Some(user_id),
                    before: None,
                    after: Some(json!({ "Password": "Reset: to be changed at next sign-in" })),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            Ok(version)
        }
        .await,
    )
}

/// Every project with its owning organization, for every signed-in user ("a list of programs
/// and their owning organizations"), filtered by project or organization name.
#[server(endpoint = "programs")]
pub async fn list_programs(query: String) -> Result<Vec<ProgramRow>, AppError> {
    respond(
        async {
            auth::require_actor().await?;
            if query.chars().count() > 100 {
                return Err(AppError::field("q", "Search with at most 100 characters."));
            }
            let pattern = format!(
                "%{}%",
                query.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
            );
            let rows: Vec<(String, Option<i16>, String, bool, String)> = sqlx::query_as(
                "select p.name, p.project_type, p.coc_code,
                        exists (select 1 from ce_participations cp where cp.project_id = p.id and cp.deleted_at is null and cp.receives_referrals = 1
                                  and cp.start_date <= current_date and (cp.end_date is null or cp.end_date >= current_date)),
                        o.name
                   from projects p join organizations o on o.id = p.organization_id
                  where p.deleted_at is null and (lower(p.name) like $1 or lower(o.name) like $1)
                  order by p.name limit 500",
            )
            .bind(&pattern)
            .fetch_all(&pool()?)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(project, t, coc, receives, organization)| ProgramRow {
                    project,
                    project_type: t
                        .and_then(crate::domain::codes::ProjectType::from_code)
                        .map(|t| t.label().to_string())
                        .unwrap_or_else(|| "Not a continuum project".into()),
                    coc,
                    receives_ce_referrals: receives,
                    organization,
                })
                .collect())
        }
        .await,
    )
}
