//! Server functions of the Enrollment pages: the client's enrollments, one enrollment with its
//! household, the Housing Move-in Date (3.20) and the project exit (3.11/3.12).

use crate::domain::enrollment::{ExitFacts, MoveInFacts};
use crate::domain::intake::MemberDraft;
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::codes::ProjectType,
    crate::domain::enrollment::{validate_exit, validate_move_in, ExitDraft},
    crate::domain::intake::validate_enrollment_answers,
    crate::ssr::{auth, pool, respond, today},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRow {
    pub id: i64,
    pub project: String,
    pub organization: String,
    pub project_type: String,
    pub relationship: String,
    pub entry_date: NaiveDate,
    pub move_in_date: Option<NaiveDate>,
    pub exit_date: Option<NaiveDate>,
    /// The client's Coordinated Entry enrollment (project type 14): its exit is "Exit the
    /// Enrollment" (article 004), and only the CoC's CE organization records it.
    pub is_coordinated_entry: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentList {
    pub client_name: String,
    pub rows: Vec<EnrollmentRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdMemberRow {
    pub enrollment_id: i64,
    pub client_id: i64,
    pub name: String,
    pub relationship: String,
    pub entry_date: NaiveDate,
    pub exit_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitSummary {
    pub exit_date: NaiveDate,
    pub destination: String,
}

/// One enrollment as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentView {
    pub id: i64,
    pub version: i32,
    pub client_id: i64,
    pub client_name: String,
    pub project: String,
    pub project_type: String,
    pub household_id: String,
    pub relationship: String,
    pub entry_date: NaiveDate,
    pub enrollment_coc: Option<String>,
    /// (label, answer) pairs of the answers collected at project start.
    pub answers: Vec<(String, String)>,
    /// The household members the active organization may see.
    pub household: Vec<HouseholdMemberRow>,
    /// How many other members the household has (clients outside the organization's scope,
    /// never named).
    pub household_elsewhere: i64,
    pub move_in: MoveInFacts,
    pub exit: Option<ExitSummary>,
    pub exit_facts: ExitFacts,
    /// The answers as the edit form starts them (codes as strings).
    pub answers_draft: MemberDraft,
    /// 3.917 applies: head of household or adult at project start.
    pub asks_prior_living: bool,
    pub project_type_code: Option<i16>,
    /// The active organization runs the project: it may edit, record move-in and exit.
    pub can_edit: bool,
    /// Why this organization cannot exit the enrollment (a CE enrollment outside its CE
    /// organization), shown instead of the form.
    pub exit_unavailable: Option<String>,
    /// For a CE enrollment: the client's latest Housing Move-in Date, the usual exit date.
    pub suggested_exit_date: Option<NaiveDate>,
}

#[server(endpoint = "enrollments/list")]
pub async fn list_enrollments(client_id: i64) -> Result<EnrollmentList, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let client_name = crate::ssr::scope::client_name_in_scope(&pool, context, client_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let rows = store::list(&pool, context, client_id).await?;
            Ok(EnrollmentList { client_name, rows })
        }
        .await,
    )
}

#[server(endpoint = "enrollments/get")]
pub async fn get_enrollment(
    client_id: i64,
    enrollment_id: i64,
) -> Result<EnrollmentView, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut conn = pool.acquire().await?;
            store::view(&mut conn, context, client_id, enrollment_id).await
        }
        .await,
    )
}

/// Edits the answers collected at project start (Disabling Condition, 3.917).
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "enrollments/answers")]
pub async fn update_enrollment_answers(
    client_id: i64,
    enrollment_id: i64,
    version: i32,
    disabling_condition: String,
    #[server(default)] living_situation: String,
    #[server(default)] rental_subsidy_type: String,
    #[server(default)] length_of_stay: String,
    #[server(default)] previous_street_essh: String,
    #[server(default)] date_to_street_essh: String,
    #[server(default)] times_homeless: String,
    #[server(default)] months_homeless: String,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored =
                store::editable(&mut tx, context, client_id, enrollment_id, version).await?;
            let member = MemberDraft {
                disabling_condition,
                living_situation,
                rental_subsidy_type,
                length_of_stay,
                previous_street_essh,
                date_to_street_essh,
                times_homeless,
                months_homeless,
                ..Default::default()
            };
            let (disabling, prior) = validate_enrollment_answers(
                &member,
                stored.move_in.project_type.and_then(ProjectType::from_code),
                stored.move_in.entry_date,
                stored.asks_prior_living,
                today(),
            )
            .map_err(AppError::Invalid)?;
            let version =
                store::set_answers(&mut tx, &actor, enrollment_id, disabling, prior.as_ref())
                    .await?;
            crate::ssr::commit(tx).await?;
            back_to_enrollment(client_id, enrollment_id);
            Ok(version)
        }
        .await,
    )
}

/// Records the Housing Move-in Date (once; PH head of household only).
#[server(endpoint = "enrollments/move_in")]
pub async fn record_move_in(
    client_id: i64,
    enrollment_id: i64,
    version: i32,
    move_in_date: String,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored =
                store::editable(&mut tx, context, client_id, enrollment_id, version).await?;
            let date = validate_move_in(&move_in_date, &stored.move_in, today())
                .map_err(AppError::Invalid)?;
            let version = store::set_move_in(&mut tx, &actor, enrollment_id, date).await?;
            crate::ssr::commit(tx).await?;
            back_to_enrollment(client_id, enrollment_id);
            Ok(version)
        }
        .await,
    )
}

/// Exits the enrollment (and, for the head of household who asks, every member still enrolled).
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "enrollments/exit")]
pub async fn exit_enrollment(
    client_id: i64,
    enrollment_id: i64,
    version: i32,
    exit_date: String,
    destination: String,
    destination_subsidy_type: String,
    other_destination: String,
    #[server(default)] exit_household: Option<String>,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored =
                store::editable(&mut tx, context, client_id, enrollment_id, version).await?;
            let draft = ExitDraft {
                exit_date,
                destination,
                destination_subsidy_type,
                other_destination,
                exit_household: exit_household.is_some_and(|v| !v.is_empty() && v != "false"),
            };
            let exit = validate_exit(&draft, &stored.exit, today()).map_err(AppError::Invalid)?;
            let version = store::insert_exits(&mut tx, &actor, enrollment_id, &exit).await?;
            crate::ssr::commit(tx).await?;
            back_to_enrollment(client_id, enrollment_id);
            Ok(version)
        }
        .await,
    )
}

/// After a form posted without JavaScript, the browser returns to the enrollment page.
#[cfg(feature = "ssr")]
fn back_to_enrollment(client_id: i64, enrollment_id: i64) {
    crate::ssr::redirect_plain_form_post(&crate::routes::with_query(
        &crate::routes::enrollment(client_id, enrollment_id),
        "saved",
        "1",
    ));
}
