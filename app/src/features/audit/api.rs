//! Server functions of a record's change history, read from the audit log: who changed what,
//! when, in which Workgroup and Organization, as "Field: before → after" lines.

pub use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::access::Workgroup,
    crate::ssr::{auth, pool, respond},
};

/// The history of an administered record, newest first.
#[server(endpoint = "audit/history")]
pub async fn get_record_history(
    entity: String,
    entity_id: i64,
) -> Result<Vec<HistoryEntry>, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            actor.context_in(&[Workgroup::SystemAdministrator])?;
            if !ADMINISTERED.contains(&entity.as_str()) {
                return Err(AppError::NotFound);
            }
            Ok(store::history(&pool()?, &entity, entity_id, action_label).await?)
        }
        .await,
    )
}
