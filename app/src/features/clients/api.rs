//! Server functions of the Clients workspace: search and the client record.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    domain::{
        codes,
        contact::format_phone,
        dates,
        names::{display_name, search_terms},
    },
    error::FieldErrors,
    ssr::{auth, pool, respond, scope},
};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSummary {
    pub id: i64,
    pub name: String,
    pub dob: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPage {
    pub rows: Vec<ClientSummary>,
    pub page: i64,
    pub has_next: bool,
}

/// The client record: profile and contact information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRecord {
    pub id: i64,
    pub name: String,
    pub name_data_quality: String,
    pub ssn_masked: Option<String>,
    pub ssn_data_quality: String,
    pub dob: Option<NaiveDate>,
    pub dob_data_quality: String,
    pub age: Option<i32>,
    pub sex: Option<String>,
    pub race_ethnicity: Vec<String>,
    pub veteran_status: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Vec<String>,
    pub contact_updated_at: Option<String>,
    pub contact_updated_by: Option<String>,
}

/// Clients the active organization may see, by name (prefixes of first/last), date of birth or
/// Personal ID; 25 a page.
#[server(endpoint = "clients/search")]
pub async fn search_clients(query: String, dob: String, page: i64) -> Result<ClientPage, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let mut errors = FieldErrors::new();
            let dob = errors.check("dob", dates::parse_optional_date(&dob));
            if query.chars().count() > 100 {
                errors.add("query", "Search with at most 100 characters.");
            }
            let page = errors.check("page", crate::domain::paging::page_number(page));
            errors.into_result()?;
            let dob = dob.flatten();
            let page = page.unwrap_or(1);
            let query = query.trim();
            let personal_id: Option<i64> = query.parse().ok();
            let terms = if personal_id.is_some() { Vec::new() } else { search_terms(query) };

            let (org, ce_coc, admin) = scope::binds(context);
            let sql = format!(
                "select c.id, c.first_name, c.middle_name, c.last_name, c.name_suffix, c.dob
                   from clients c
                  where c.deleted_at is null and {scope}
                    and ($4::bigint is null or c.id = $4)
                    and ($5::date is null or c.dob = $5)
                    and (select coalesce(bool_and(lower(coalesce(c.first_name, '')) like t || '%'
                                              or lower(coalesce(c.last_name, '')) like t || '%'), true)
                           from unnest($6::text[]) t)
                  order by lower(c.last_name), lower(c.first_name), c.id
                  limit $7 offset $8",
                scope = scope::CLIENT_IN_SCOPE
            );
            type Row = (i64, Option<String>, Option<String>, Option<String>, Option<String>, Option<NaiveDate>);
            let rows: Vec<Row> = sqlx::query_as(&sql)
                .bind(org)
                .bind(ce_coc)
                .bind(admin)
                .bind(personal_id)
                .bind(dob)
                .bind(&terms)
                .bind(PAGE_SIZE + 1)
                .bind((page - 1) * PAGE_SIZE)
                .fetch_all(&pool()?)
                .await?;
            let has_next = rows.len() as i64 > PAGE_SIZE;
            Ok(ClientPage {
                rows: rows
                    .into_iter()
                    .take(PAGE_SIZE as usize)
                    .map(|(id, first, middle, last, suffix, dob)| ClientSummary {
                        id,
                        name: display_name(first.as_deref(), middle.as_deref(), last.as_deref(), suffix.as_deref()),
                        dob,
                    })
                    .collect(),
                page,
                has_next,
            })
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
#[derive(sqlx::FromRow)]
struct ClientRow {
    id: i64,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    name_suffix: Option<String>,
    name_data_quality: i16,
    ssn: Option<String>,
    ssn_data_quality: i16,
    dob: Option<NaiveDate>,
    dob_data_quality: i16,
    sex: Option<i16>,
    am_ind_ak_native: i16,
    asian: i16,
    black_af_american: i16,
    hispanic_latinao: i16,
    mid_east_n_african: i16,
    native_hi_pacific: i16,
    white: i16,
    race_none: Option<i16>,
    additional_race_ethnicity: Option<String>,
    veteran_status: i16,
    phone: Option<String>,
    email: Option<String>,
    address_line1: Option<String>,
    address_line2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip: Option<String>,
    contact_updated_at: Option<chrono::DateTime<chrono::Utc>>,
    contact_updated_by: Option<String>,
}

/// One client's record, if the active organization may see it; otherwise "Not found".
#[server(endpoint = "clients/get")]
pub async fn get_client(id: i64) -> Result<ClientRecord, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let (org, ce_coc, admin) = scope::binds(context);
            let sql = format!(
                "select c.id, c.first_name, c.middle_name, c.last_name, c.name_suffix, c.name_data_quality,
                        c.ssn, c.ssn_data_quality, c.dob, c.dob_data_quality, c.sex,
                        c.am_ind_ak_native, c.asian, c.black_af_american, c.hispanic_latinao,
                        c.mid_east_n_african, c.native_hi_pacific, c.white, c.race_none,
                        c.additional_race_ethnicity, c.veteran_status, c.phone, c.email,
                        c.address_line1, c.address_line2, c.city, c.state, c.zip, c.contact_updated_at,
                        u.first_name || ' ' || u.last_name as contact_updated_by
                   from clients c left join users u on u.id = c.contact_updated_by
                  where c.id = $4 and c.deleted_at is null and {scope}",
                scope = scope::CLIENT_IN_SCOPE
            );
            let row: ClientRow = sqlx::query_as(&sql)
                .bind(org)
                .bind(ce_coc)
                .bind(admin)
                .bind(id)
                .fetch_optional(&pool()?)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(client_record(row))
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn client_record(row: ClientRow) -> ClientRecord {
    use codes::{DobDataQuality, NameDataQuality, NoYesMissing, Sex, SsnDataQuality};
    let label = |value: Option<&'static str>| value.unwrap_or("Data not collected").to_string();
    let races = [
        (
            row.am_ind_ak_native,
            "American Indian, Alaska Native, or Indigenous",
        ),
        (row.asian, "Asian or Asian American"),
        (row.black_af_american, "Black, African American, or African"),
        (row.hispanic_latinao, "Hispanic/Latina/o"),
        (row.mid_east_n_african, "Middle Eastern or North African"),
        (row.native_hi_pacific, "Native Hawaiian or Pacific Islander"),
        (row.white, "White"),
    ];
    let mut race_ethnicity: Vec<String> = races
        .iter()
        .filter(|(v, _)| *v == 1)
        .map(|(_, l)| l.to_string())
        .collect();
    if let Some(none) = row.race_none.and_then(NoYesMissing::from_code) {
        race_ethnicity.push(none.label().to_string());
    }
    if let Some(extra) = row.additional_race_ethnicity.filter(|s| !s.is_empty()) {
        race_ethnicity.push(extra);
    }
    let city_line = match (row.city, row.state, row.zip) {
        (None, None, None) => None,
        (city, state, zip) => Some(
            [city.map(|c| format!("{c},")), state, zip]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        ),
    };
    let today = crate::ssr::today();
    ClientRecord {
        id: row.id,
        name: display_name(
            row.first_name.as_deref(),
            row.middle_name.as_deref(),
            row.last_name.as_deref(),
            row.name_suffix.as_deref(),
        ),
        name_data_quality: label(
            NameDataQuality::from_code(row.name_data_quality).map(|c| c.label()),
        ),
        // Only the last four digits ever leave the server.
        ssn_masked: row
            .ssn
            .filter(|s| s.len() == 9)
            .map(|s| format!("***-**-{}", &s[5..])),
        ssn_data_quality: label(SsnDataQuality::from_code(row.ssn_data_quality).map(|c| c.label())),
        age: row.dob.map(|dob| dates::age_on(dob, today)),
        dob: row.dob,
        dob_data_quality: label(DobDataQuality::from_code(row.dob_data_quality).map(|c| c.label())),
        sex: row
            .sex
            .and_then(Sex::from_code)
            .map(|s| s.label().to_string()),
        race_ethnicity,
        veteran_status: label(NoYesMissing::from_code(row.veteran_status).map(|c| c.label())),
        phone: row.phone.map(|p| format_phone(&p)),
        email: row.email,
        address: [row.address_line1, row.address_line2, city_line]
            .into_iter()
            .flatten()
            .collect(),
        contact_updated_at: row.contact_updated_at.map(|at| {
            at.with_timezone(&chrono::Local)
                .format("%m/%d/%Y %-I:%M %p")
                .to_string()
        }),
        contact_updated_by: row.contact_updated_by,
    }
}
