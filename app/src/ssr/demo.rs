//! The deterministic demo data set: a believable Continuum of Care with organizations, projects
//! of every relevant type, staff in each Workgroup, clients with households and CE enrollments,
//! CE referral events in every state (some overdue), and non-CE referrals. `Size::Large` adds a
//! CoC-scale data set for benchmarks (≥ 300 organizations, ≥ 100,000 clients, ≥ 500,000 CE
//! events), generated in SQL so it loads in about a minute.

use super::auth::hash_password;
use crate::error::AppError;
use chrono::{Datelike, Duration, NaiveDate};
use sqlx::{PgConnection, PgPool};

/// The password of every demo login (printed by `scripts/run`, listed in the README).
pub const DEMO_PASSWORD: &str = "threshold-demo-2026";

/// A demo login: (username, first, last, [(workgroup code, organization key)]).
pub type DemoUser = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(i16, &'static str)],
);

/// Demo logins.
pub const DEMO_USERS: &[DemoUser] = &[
    ("admin", "Avery", "Admin", &[(4, "lead")]),
    (
        "plm",
        "Priya",
        "Lindqvist",
        &[(3, "ce"), (2, "ce"), (1, "ce")],
    ),
    ("assessor", "Sam", "Okafor", &[(2, "ce")]),
    ("caseworker", "Casey", "Moreno", &[(1, "northside")]),
    ("shelter", "Jordan", "Baptiste", &[(1, "harbor")]),
    ("eastgate", "Morgan", "Ellis", &[(1, "eastgate")]),
    (
        "lakeshore",
        "Riley",
        "Chen",
        &[(1, "lakefamily"), (3, "lakece")],
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Small,
    Large,
}

/// A tiny deterministic generator (SplitMix64): the same data on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "Ana", "Marcus", "Deja", "Luis", "Keisha", "Tom", "Fatima", "Jamal", "Rosa", "Ethan", "Mai",
    "Darnell", "Grace", "Omar", "Leah", "Tyrone", "Hannah", "Abdi", "Carmen", "Wei", "Nia", "Paul",
    "Yesenia", "Kofi",
];
const LAST: &[&str] = &[
    "Ruiz", "Johnson", "Williams", "Nguyen", "Hassan", "Olson", "Garcia", "Brown", "Ahmed",
    "Larson", "Vang", "Davis", "Martinez", "Yang", "Anderson", "Mohamed", "Thompson", "Her",
    "Lopez", "Peterson", "Jackson", "Xiong",
];

/// Clients with names the end-to-end tests rely on: 0 and 35 are referred to Northside PSH and
/// await acknowledgement, 1 is overdue at Northside RRH, 2 is acknowledged at Harbor Light,
/// 7 awaits acknowledgement at Northside RRH and was already enrolled there, 42 awaits
/// acknowledgement at Northside PSH (the intake test enrolls her household), 48 is on the
/// Priority List without a referral, 60 belongs to the Lakeshore CoC only; 12 and 27 have
/// non-CE referrals awaiting acknowledgement at Eastgate (12 was also referred to Northside PSH,
/// unsuccessfully), and so has 57; 54 is on the Priority List without a referral (the CE exit test exits him);
/// 29 and 36 await acknowledgement at Northside PSH, overdue (the returns test returns them).
pub const FIXED_NAMES: &[(u64, &str, &str)] = &[
    (0, "Marisol", "Quintero"),
    (1, "Dashiell", "Okonkwo"),
    (2, "Imani", "Fairbanks"),
    (7, "Tobias", "Wren"),
    (12, "Beatrix", "Oduya"),
    (27, "Hollis", "Varga"),
    (29, "Cordelia", "Nakamura"),
    (35, "Opal", "Hendricks"),
    (36, "Silas", "Brennan"),
    (42, "Rosalind", "Achebe"),
    (48, "Wendell", "Ashby"),
    (54, "Gideon", "Marsh"),
    (57, "Ingrid", "Solberg"),
    (60, "Lena", "Strand"),
];

struct Org {
    key: &'static str,
    name: &'static str,
    ce_for_coc: Option<&'static str>,
}

const ORGS: &[Org] = &[
    Org {
        key: "lead",
        name: "Riverbend HMIS Lead Agency",
        ce_for_coc: None,
    },
    Org {
        key: "ce",
        name: "Riverbend CoC Coordinated Entry",
        ce_for_coc: Some("RB-501"),
    },
    Org {
        key: "northside",
        name: "Northside Housing Partners",
        ce_for_coc: None,
    },
    Org {
        key: "harbor",
        name: "Harbor Light Shelter",
        ce_for_coc: None,
    },
    Org {
        key: "eastgate",
        name: "Eastgate Community Services",
        ce_for_coc: None,
    },
    Org {
        key: "lakece",
        name: "Lakeshore CoC Coordinated Entry",
        ce_for_coc: Some("LK-502"),
    },
    Org {
        key: "lakefamily",
        name: "Lakeshore Family Housing",
        ce_for_coc: None,
    },
];

/// (key, organization key, name, project type, CoC, receives CE referrals, access point)
const PROJECTS: &[(&str, &str, &str, i16, &str, bool, bool)] = &[
    (
        "ce",
        "ce",
        "Riverbend Coordinated Entry",
        14,
        "RB-501",
        false,
        true,
    ),
    (
        "psh",
        "northside",
        "Northside Permanent Supportive Housing",
        3,
        "RB-501",
        true,
        false,
    ),
    (
        "rrh",
        "northside",
        "Northside Rapid Re-Housing",
        13,
        "RB-501",
        true,
        false,
    ),
    (
        "es",
        "harbor",
        "Harbor Light Emergency Shelter",
        0,
        "RB-501",
        true,
        false,
    ),
    (
        "th",
        "harbor",
        "Harbor Light Transitional Housing",
        2,
        "RB-501",
        true,
        false,
    ),
    (
        "oph",
        "eastgate",
        "Eastgate Housing Only",
        9,
        "RB-501",
        true,
        false,
    ),
    (
        "sso",
        "eastgate",
        "Eastgate Case Management",
        6,
        "RB-501",
        false,
        false,
    ),
    (
        "lakece",
        "lakece",
        "Lakeshore Coordinated Entry",
        14,
        "LK-502",
        false,
        true,
    ),
    (
        "lakerrh",
        "lakefamily",
        "Lakeshore Family Rapid Re-Housing",
        13,
        "LK-502",
        true,
        false,
    ),
];

/// Referral Need Statuses seeded for a CoC (reference section 6; All Chicago's practice):
/// (name, initial, final, days allowed, business days)
pub const DEFAULT_NEED_STATUSES: &[(&str, bool, bool, Option<i32>, bool)] = &[
    (
        "CES: Matched: Awaiting response by Housing Provider",
        true,
        false,
        Some(2),
        true,
    ),
    (
        "CES: Attempted/Attempting Contact",
        false,
        false,
        Some(10),
        false,
    ),
    (
        "CES: Client Engaged, In Progress to Enrollment",
        false,
        false,
        Some(15),
        false,
    ),
    ("CES: Enrolled", false, true, None, false),
    (
        "CES: Rematch Needed: Client Ineligible",
        false,
        true,
        None,
        false,
    ),
    (
        "CES: Rematch Needed: Unable to Contact Client",
        false,
        true,
        None,
        false,
    ),
    (
        "CES: Rematch Needed: Client Declined",
        false,
        true,
        None,
        false,
    ),
    (
        "CES: Rematch Needed: CES Team Only: Housing Provider Did Not Respond",
        false,
        true,
        None,
        false,
    ),
];

/// Seeds the default need statuses of a CoC and their allowed transitions (each non-final status
/// may move to any later status).
pub async fn seed_need_statuses(
    conn: &mut PgConnection,
    coc: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::new();
    for (order, (name, initial, is_final, days, business)) in
        DEFAULT_NEED_STATUSES.iter().enumerate()
    {
        let (id,): (i64,) = sqlx::query_as(
            "insert into referral_need_statuses (coc_code, name, sort_order, is_initial, is_final, days_allowed, business_days)
             values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(coc)
        .bind(name)
        .bind(order as i32 + 1)
        .bind(initial)
        .bind(is_final)
        .bind(days)
        .bind(business)
        .fetch_one(&mut *conn)
        .await?;
        ids.push(id);
    }
    for (i, (_, _, is_final, _, _)) in DEFAULT_NEED_STATUSES.iter().enumerate() {
        if *is_final {
            continue;
        }
        for to in ids.iter().skip(i + 1) {
            sqlx::query("insert into referral_need_status_transitions (from_status_id, to_status_id) values ($1, $2)")
                .bind(ids[i])
                .bind(to)
                .execute(&mut *conn)
                .await?;
        }
    }
    // The statuses a referral moves to on acknowledgement and on resolution.
    sqlx::query(
        "update referral_need_statuses set applies_on = case name
                when 'CES: Attempted/Attempting Contact' then 'acknowledged'
                when 'CES: Enrolled' then 'successful'
                when 'CES: Rematch Needed: Client Ineligible' then 'unsuccessful' end
          where coc_code = $1",
    )
    .bind(coc)
    .execute(&mut *conn)
    .await?;
    // The CoC's return reasons, mapped to the "Rematch Needed" statuses just made.
    sqlx::query("select seed_return_reasons($1)")
        .bind(coc)
        .execute(&mut *conn)
        .await?;
    Ok(ids)
}

/// Sets the due date in its current status of every referral that has none (bulk loads only;
/// the app computes it with `domain::timeliness::due_date` when a status changes): the SQL twin
/// of that rule, with each CoC's holidays read once per status.
const SET_DUE_DATES: &str = "
    update ce_events ev set need_status_due = threshold_due_date(ev.need_status_since::date, s.days_allowed, s.business_days, s.holidays)
      from (select s.id, s.days_allowed, s.business_days,
                   array(select h.holiday from coc_holidays h where h.coc_code = s.coc_code and h.deleted_at is null) as holidays
              from referral_need_statuses s where s.days_allowed is not null) s
     where s.id = ev.need_status_id and ev.need_status_due is null";

async fn set_due_dates(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query(SET_DUE_DATES).execute(conn).await?;
    Ok(())
}

/// Loads the demo data once. Refuses a database that already holds users.
pub async fn load(pool: &PgPool, size: Size) -> Result<String, AppError> {
    let (users,): (i64,) = sqlx::query_as("select count(*) from users where not is_system")
        .fetch_one(pool)
        .await?;
    if users > 0 {
        return Ok("Demo data already loaded; nothing to do.".to_string());
    }
    let today = super::today();
    let mut tx = pool.begin().await?;
    let summary = load_small(&mut tx, today).await?;
    tx.commit().await?;
    if size == Size::Large {
        load_large(pool, today).await?;
        // Sets the visibility map too, so index-only scans work from the first query.
        sqlx::query("vacuum analyze").execute(pool).await?;
        let (clients, events, orgs): (i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from clients), (select count(*) from ce_events), (select count(*) from organizations)",
        )
        .fetch_one(pool)
        .await?;
        return Ok(format!("{summary}\nLarge set in total: {orgs} organizations, {clients} clients, {events} CE events."));
    }
    Ok(summary)
}

fn key_id(keys: &[(&'static str, i64)], key: &str) -> i64 {
    keys.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, id)| *id)
        .unwrap_or_default()
}

async fn load_small(conn: &mut PgConnection, today: NaiveDate) -> Result<String, AppError> {
    let mut rng = Rng(20_261_122);
    for (code, name) in [("RB-501", "Riverbend CoC"), ("LK-502", "Lakeshore CoC")] {
        sqlx::query("insert into cocs (code, name) values ($1, $2)")
            .bind(code)
            .bind(name)
            .execute(&mut *conn)
            .await?;
    }

    let mut orgs = Vec::new();
    for org in ORGS {
        let (id,): (i64,) = sqlx::query_as(
            "insert into organizations (name, ce_for_coc) values ($1, $2) returning id",
        )
        .bind(org.name)
        .bind(org.ce_for_coc)
        .fetch_one(&mut *conn)
        .await?;
        orgs.push((org.key, id));
    }

    let start = NaiveDate::from_ymd_opt(2018, 1, 1).unwrap_or(today);
    let mut projects = Vec::new();
    for (key, org, name, project_type, coc, receives, access) in PROJECTS {
        let (id,): (i64,) = sqlx::query_as(
            "insert into projects (organization_id, name, operating_start_date, project_type, coc_code, rrh_sub_type,
                housing_type, residential_affiliation, geocode, city, state, geography_type)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'Riverbend', 'MN', 1) returning id",
        )
        .bind(key_id(&orgs, org))
        .bind(name)
        .bind(start)
        .bind(project_type)
        .bind(coc)
        .bind((*project_type == 13).then_some(2i16))
        // 2.02.D / 2.02.B apply by project type (domain::codes::ProjectType).
        .bind(match project_type {
            0 | 2 | 3 => Some(1i16),
            9 | 10 | 13 => Some(3i16),
            _ => None,
        })
        .bind((*project_type == 6).then_some(0i16))
        .bind(if *coc == "LK-502" { "279003" } else { "279001" })
        .fetch_one(&mut *conn)
        .await?;
        if *receives || *access {
            let a = i16::from(*access);
            sqlx::query(
                "insert into ce_participations (project_id, access_point, prevention_assessment, crisis_assessment,
                    housing_assessment, direct_services, receives_referrals, start_date)
                 values ($1, $2, $3, $3, $3, $3, $4, $5)",
            )
            .bind(id)
            .bind(a)
            .bind(access.then_some(1i16))
            .bind(i16::from(*receives))
            .bind(start)
            .execute(&mut *conn)
            .await?;
        }
        projects.push((*key, id));
    }

    let hash = hash_password(DEMO_PASSWORD)?;
    let mut users = Vec::new();
    for (username, first, last, memberships) in DEMO_USERS {
        let (id,): (i64,) = sqlx::query_as(
            "insert into users (username, first_name, last_name, email, password_hash)
             values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(username)
        .bind(first)
        .bind(last)
        .bind(format!("{username}@riverbend-hmis.example"))
        .bind(&hash)
        .fetch_one(&mut *conn)
        .await?;
        for (workgroup, org) in *memberships {
            sqlx::query(
                "insert into memberships (user_id, organization_id, workgroup) values ($1, $2, $3)",
            )
            .bind(id)
            .bind(key_id(&orgs, org))
            .bind(workgroup)
            .execute(&mut *conn)
            .await?;
        }
        users.push((*username, id));
    }
    let plm = key_id(&users, "plm");
    let caseworker = key_id(&users, "caseworker");

    let rb_statuses = seed_need_statuses(conn, "RB-501").await?;
    let lk_statuses = seed_need_statuses(conn, "LK-502").await?;
    for coc in ["RB-501", "LK-502"] {
        for year in today.year() - 1..=today.year() + 1 {
            for holiday in crate::domain::holidays::us_federal_holidays(year) {
                sqlx::query(
                    "insert into coc_holidays (coc_code, holiday, name, created_by, updated_by) values ($1, $2, $3, $4, $4)",
                )
                .bind(coc)
                .bind(holiday.date)
                .bind(&holiday.name)
                .bind(key_id(&users, "admin"))
                .execute(&mut *conn)
                .await?;
            }
        }
    }

    // Clients: each with a household CE enrollment; some with family members.
    let mut ce_heads: Vec<(i64, i64, NaiveDate, &str)> = Vec::new(); // (client, CE enrollment, entry, coc)
    let client_count = 72;
    for n in 0..client_count {
        let lakeshore = n >= 60;
        let (mut first, mut last) = (*rng.pick(FIRST), *rng.pick(LAST));
        if let Some((_, f, l)) = FIXED_NAMES.iter().find(|(i, _, _)| *i == n) {
            (first, last) = (f, l);
        }
        let age_days = 365 * (19 + rng.below(50) as i64) + rng.below(365) as i64;
        let dob = today - Duration::days(age_days);
        let client = insert_client(conn, &mut rng, first, last, dob, n, plm).await?;
        let entry = today - Duration::days(30 + rng.below(300) as i64);
        let ce_project = key_id(&projects, if lakeshore { "lakece" } else { "ce" });
        let household = uuid::Uuid::new_v4();
        let enrollment = insert_enrollment(
            conn,
            client,
            ce_project,
            household,
            1,
            entry,
            if lakeshore { "LK-502" } else { "RB-501" },
            plm,
        )
        .await?;
        if n % 7 == 3 {
            // a child in the household
            let child_dob = today - Duration::days(365 * (2 + rng.below(12) as i64));
            let child_first = *rng.pick(FIRST);
            let child =
                insert_client(conn, &mut rng, child_first, last, child_dob, n + 1000, plm).await?;
            insert_enrollment(
                conn,
                child,
                ce_project,
                household,
                2,
                entry,
                if lakeshore { "LK-502" } else { "RB-501" },
                plm,
            )
            .await?;
        }
        ce_heads.push((
            client,
            enrollment,
            entry,
            if lakeshore { "LK-502" } else { "RB-501" },
        ));
    }

    // CE referral events in every state. Riverbend heads 0..48 get one referral each, cycling
    // through: awaiting (fresh), awaiting (overdue), acknowledged, in progress, successful,
    // unsuccessful, successful-but-not-housed.
    let targets = ["psh", "rrh", "es", "th", "oph", "psh"];
    let mut events = 0;
    for (i, (client, enrollment, entry, coc)) in ce_heads.iter().enumerate() {
        let statuses = if *coc == "RB-501" {
            &rb_statuses
        } else {
            &lk_statuses
        };
        if *coc == "RB-501" && i >= 48 {
            continue; // still waiting on the Priority List, no referral yet
        }
        let target = if *coc == "LK-502" {
            "lakerrh"
        } else {
            targets[i % targets.len()]
        };
        let project = key_id(&projects, target);
        let project_type = PROJECTS
            .iter()
            .find(|p| p.0 == target)
            .map(|p| p.3)
            .unwrap_or(3);
        let event_type: i16 = match project_type {
            0 | 1 => 10,
            2 => 11,
            13 => 13,
            3 => 14,
            _ => 15,
        };
        let state = i % 7;
        let age = match state {
            0 => 0,                        // today: awaiting, on time
            1 => 6 + rng.below(10) as i64, // awaiting, overdue
            _ => 10 + rng.below(40) as i64,
        };
        let event_date = (today - Duration::days(age)).max(*entry);
        let project_name = PROJECTS
            .iter()
            .find(|p| p.0 == target)
            .map(|p| p.2)
            .unwrap_or_default();
        let (acknowledged, status_index) = match state {
            0 | 1 => (None, 0),
            2 => (Some(event_date + Duration::days(1)), 1),
            3 => (Some(event_date + Duration::days(1)), 2),
            4 | 6 => (Some(event_date + Duration::days(1)), 3),
            _ => (Some(event_date + Duration::days(2)), 6),
        };
        let acknowledged = acknowledged.map(|d| d.min(today));
        let (result, result_date, resulting, reason): (
            Option<i16>,
            Option<NaiveDate>,
            Option<i64>,
            Option<i64>,
        ) = match state {
            4 | 6 => {
                let start = (event_date + Duration::days(3)).min(today);
                let housing = insert_enrollment(
                    conn,
                    *client,
                    project,
                    uuid::Uuid::new_v4(),
                    1,
                    start,
                    coc,
                    caseworker,
                )
                .await?;
                if (project_type == 3 || project_type == 13)
                    && state == 4
                    && start + Duration::days(5) <= today
                {
                    sqlx::query("update enrollments set move_in_date = $1 where id = $2")
                        .bind(start + Duration::days(5))
                        .bind(housing)
                        .execute(&mut *conn)
                        .await?;
                }
                let reason = if state == 6 { Some(1) } else { None };
                (Some(1), Some(start), Some(housing), reason)
            }
            5 => (
                Some(2 + (i % 2) as i16),
                Some((event_date + Duration::days(5)).min(today)),
                None,
                Some(2 + (i % 4) as i64),
            ),
            _ => (None, None, None, None),
        };
        let status_id = statuses[status_index];
        let since = match state {
            0 | 1 => event_date,
            _ => acknowledged.unwrap_or(event_date),
        };
        let (event_id,): (i64,) = sqlx::query_as(
            "insert into ce_events (enrollment_id, client_id, event_date, event, location_crisis_or_ph_housing,
                referral_result, result_date, referred_project_id, date_referral_acknowledged,
                provider_contact_name, provider_contact_phone, provider_contact_email,
                resulting_enrollment_id, not_housed_reason_id, need_status_id, need_status_since, created_by, updated_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, least($16::date + time '09:00', now()), $17, $17)
             returning id",
        )
        .bind(enrollment)
        .bind(client)
        .bind(event_date)
        .bind(event_type)
        .bind(format!("{project_name} [{project}]"))
        .bind(result)
        .bind(result_date)
        .bind(project)
        .bind(acknowledged)
        .bind(acknowledged.map(|_| "Casey Moreno"))
        .bind(acknowledged.map(|_| "6125550142"))
        .bind(acknowledged.map(|_| "casey.moreno@northside.example"))
        .bind(resulting)
        .bind(reason.map(|r| r.min(10)))
        .bind(status_id)
        .bind(since)
        .bind(plm)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(
            "insert into ce_event_need_status_history (ce_event_id, status_id, since, set_by)
             values ($1, $2, least($3::date + time '09:00', now()), $4)",
        )
        .bind(event_id)
        .bind(status_id)
        .bind(since)
        .bind(plm)
        .execute(&mut *conn)
        .await?;
        events += 1;
    }

    set_due_dates(conn).await?;

    // Tobias Wren (7) was enrolled at Northside RRH the day he was referred: the provider can
    // resolve his referral as successful against that enrollment.
    let (tobias, _, _, _) = ce_heads[7];
    insert_enrollment(
        conn,
        tobias,
        key_id(&projects, "rrh"),
        uuid::Uuid::new_v4(),
        1,
        today,
        "RB-501",
        caseworker,
    )
    .await?;

    // Non-CE referrals: shelter → Eastgate case management, in each state.
    let es = key_id(&projects, "es");
    let sso = key_id(&projects, "sso");
    let shelter = key_id(&users, "shelter");
    let mut referrals = 0;
    for (i, (client, _, _, coc)) in ce_heads.iter().enumerate().filter(|(i, _)| i % 5 == 2) {
        if *coc != "RB-501" {
            continue;
        }
        let referral_date = today - Duration::days(3 + (i % 20) as i64);
        let acknowledged = (i % 3 != 0).then(|| referral_date + Duration::days(1));
        let (result, result_date) = if i % 3 == 2 {
            (
                Some(1 + (i % 4) as i16),
                acknowledged.map(|d| d + Duration::days(1)),
            )
        } else {
            (None, None)
        };
        sqlx::query(
            "insert into referrals (client_id, from_project_id, to_project_id, referral_date, service, referral_comments,
                date_referral_acknowledged, appointment_date, result_date, result, created_by, updated_by)
             values ($1, $2, $3, $4, 'Case management', 'Needs help with benefits paperwork.', $5, $6, $7, $8, $9, $9)",
        )
        .bind(client)
        .bind(es)
        .bind(sso)
        .bind(referral_date)
        .bind(acknowledged)
        .bind(result_date)
        .bind(result_date)
        .bind(result)
        .bind(shelter)
        .execute(&mut *conn)
        .await?;
        referrals += 1;
    }

    Ok(format!(
        "Demo data loaded: {} organizations, {} projects, {} users, {} clients with CE enrollments, {events} CE events, {referrals} non-CE referrals.",
        ORGS.len(),
        PROJECTS.len(),
        DEMO_USERS.len(),
        client_count
    ))
}

async fn insert_client(
    conn: &mut PgConnection,
    rng: &mut Rng,
    first: &str,
    last: &str,
    dob: NaiveDate,
    n: u64,
    by: i64,
) -> Result<i64, sqlx::Error> {
    let with_contact = n % 4 != 1;
    let ssn = (!n.is_multiple_of(5))
        .then(|| format!("{:09}", 100_000_000 + (n * 7_919 + 13) % 800_000_000));
    let (id,): (i64,) = sqlx::query_as(
        "insert into clients (first_name, last_name, name_data_quality, ssn, ssn_data_quality, dob, dob_data_quality, sex,
            black_af_american, white, hispanic_latinao, asian, veteran_status,
            phone, email, address_line1, city, state, zip, contact_updated_at, contact_updated_by, created_by, updated_by)
         values ($1, $2, 1, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 case when $12::text is null then null else now() - interval '3 days' end,
                 case when $12::text is null then null else $18::bigint end, $18, $18)
         returning id",
    )
    .bind(first)
    .bind(last)
    .bind(&ssn)
    .bind(if ssn.is_some() { 1i16 } else { 99 })
    .bind(dob)
    .bind(rng.below(2) as i16)
    .bind(i16::from(n.is_multiple_of(3)))
    .bind(i16::from(n % 3 == 1))
    .bind(i16::from(n % 4 == 2))
    .bind(i16::from(n % 9 == 5))
    .bind(if n.is_multiple_of(6) { 1i16 } else { 0 })
    .bind(with_contact.then(|| format!("612555{:04}", (n * 37) % 10_000)))
    .bind(with_contact.then(|| format!("{}.{}{n}@mail.example", first.to_lowercase(), last.to_lowercase())))
    .bind(with_contact.then(|| format!("{} Cedar Ave S", 100 + n * 3)))
    .bind(with_contact.then_some("Riverbend"))
    .bind(with_contact.then_some("MN"))
    .bind(with_contact.then_some("55404"))
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn insert_enrollment(
    conn: &mut PgConnection,
    client: i64,
    project: i64,
    household: uuid::Uuid,
    relationship: i16,
    entry: NaiveDate,
    coc: &str,
    by: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into enrollments (client_id, project_id, household_id, relationship_to_hoh, entry_date, enrollment_coc,
            living_situation, disabling_condition, created_by, updated_by)
         values ($1, $2, $3, $4, $5, case when $4 = 1 then $6 end, case when $4 = 1 then 116 end, 0, $7, $7)
         returning id",
    )
    .bind(client)
    .bind(project)
    .bind(household)
    .bind(relationship)
    .bind(entry)
    .bind(coc)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The benchmark-scale data set: 320 provider organizations with 2 housing projects each,
/// 100,000 clients with CE enrollments, and 5 CE events per client (500,000), all in the
/// Riverbend CoC. Deterministic (arithmetic on the row number, no randomness).
async fn load_large(pool: &PgPool, today: NaiveDate) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let statements = [
        "insert into organizations (name)
         select 'Provider ' || lpad(g::text, 3, '0') from generate_series(1, 320) g",
        "insert into projects (organization_id, name, operating_start_date, project_type, coc_code, rrh_sub_type, housing_type, geocode)
         select o.id, o.name || case k when 0 then ' PSH' else ' RRH' end, date '2018-01-01',
                case k when 0 then 3 else 13 end, 'RB-501', case k when 0 then null else 2 end,
                case k when 0 then 1 else 3 end, '279001'
           from organizations o cross join generate_series(0, 1) k where o.name like 'Provider %'",
        "insert into clients (first_name, last_name, name_data_quality, dob, dob_data_quality, veteran_status)
         select (array['Ana','Marcus','Deja','Luis','Keisha','Tom','Fatima','Jamal'])[1 + g % 8],
                'Bench' || g, 1, $1::date - (7000 + g % 18000), 1, 0
           from generate_series(1, 100000) g",
        "insert into enrollments (client_id, project_id, household_id, relationship_to_hoh, entry_date, enrollment_coc, disabling_condition)
         select c.id, (select id from projects where name = 'Riverbend Coordinated Entry'), gen_random_uuid(), 1,
                $1::date - 400 + (c.id % 300)::int, 'RB-501', 99
           from clients c where c.last_name like 'Bench%'",
        "create temporary table bench_projects on commit drop as
         select row_number() over (order by id) - 1 as n, id, project_type from projects where name like 'Provider %'",
        "insert into ce_events (enrollment_id, client_id, event_date, event, referred_project_id, location_crisis_or_ph_housing,
                                date_referral_acknowledged, referral_result, result_date, need_status_id, need_status_since)
         select e.id, e.client_id, d.event_date, case p.project_type when 3 then 14 else 13 end, p.id, 'Provider project [' || p.id || ']',
                case when k >= 1 then d.event_date + 1 end,
                case when k >= 3 then 2 end,
                case when k >= 3 then d.event_date + 5 end,
                s.id, least(d.event_date + time '09:00', now())
           from enrollments e
           join clients c on c.id = e.client_id and c.last_name like 'Bench%'
           cross join generate_series(0, 4) k
           cross join lateral (select least($1::date, e.entry_date + (k * 60 + (e.client_id % 50))::int) as event_date) d
           join bench_projects p on p.n = (e.client_id * 7 + k * 13) % 640
           join referral_need_statuses s on s.coc_code = 'RB-501'
                and s.name = case when k = 0 then 'CES: Matched: Awaiting response by Housing Provider'
                                  when k <= 2 then 'CES: Client Engaged, In Progress to Enrollment'
                                  else 'CES: Rematch Needed: Client Declined' end
          where d.event_date >= e.entry_date",
        "insert into memberships (user_id, organization_id, workgroup)
         select u.id, o.id, 1 from users u cross join organizations o
          where u.username = 'caseworker' and o.name = 'Provider 001'",
        SET_DUE_DATES,
        "analyze",
    ];
    for sql in statements {
        let query = sqlx::query(sql);
        let query = if sql.contains("$1") {
            query.bind(today)
        } else {
            query
        };
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
