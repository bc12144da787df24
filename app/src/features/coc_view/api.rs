//! Server functions of the CoC view: only a CoC's Coordinated Entry organization reads it, and
//! only its own CoC's referrals (the CoC is the active context's, never a parameter).

pub use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::paging,
    crate::ssr::{auth, pool, respond, today},
};

/// The CoC whose Coordinated Entry organization the signed-in user works in (only such a user
/// reads the CoC view; the CoC is never a parameter).
#[cfg(feature = "ssr")]
async fn coordinated_entry_coc() -> Result<String, AppError> {
    let actor = auth::require_actor().await?;
    actor
        .context()?
        .ce_for_coc
        .clone()
        .ok_or(AppError::Forbidden)
}

/// The CoC's referrals by provider and project, with the medians against the standards.
#[server(endpoint = "coc/referrals")]
pub async fn coc_referrals() -> Result<ReferralsByProject, AppError> {
    respond(
        async {
            let coc = coordinated_entry_coc().await?;
            let mut conn = pool()?.acquire().await?;
            let standard = store::standard(&mut *conn, &coc).await?;
            Ok(ReferralsByProject {
                projects: store::by_project(&mut *conn, &coc, standard.as_ref(), today()).await?,
                standard: standard.as_ref().map(store::Standard::shown),
                coc,
            })
        }
        .await,
    )
}

/// The list behind a number of the CoC view: the CoC's referrals to one project, 100 a page.
#[server(endpoint = "coc/list")]
pub async fn coc_referral_list(list: CocListQuery) -> Result<CocReferralPage, AppError> {
    respond(
        async {
            let coc = coordinated_entry_coc().await?;
            let filter = CocListFilter::parse(&list.filter);
            let page = paging::page_number(list.page)
                .map_err(|message| AppError::field("page", message))?;
            let mut conn = pool()?.acquire().await?;
            let (project, organization) = store::project(&mut *conn, &coc, list.project)
                .await?
                .ok_or(AppError::NotFound)?;
            let standard = store::standard(&mut *conn, &coc).await?;
            let mut rows = store::list(
                &mut *conn,
                &coc,
                list.project,
                filter,
                standard.as_ref(),
                today(),
                LIST_PAGE_SIZE + 1,
                paging::offset(page, LIST_PAGE_SIZE),
            )
            .await?;
            let has_next = rows.len() as i64 > LIST_PAGE_SIZE;
            rows.truncate(LIST_PAGE_SIZE as usize);
            Ok(CocReferralPage {
                project_id: list.project,
                project,
                organization,
                rows,
                page,
                has_next,
            })
        }
        .await,
    )
}
