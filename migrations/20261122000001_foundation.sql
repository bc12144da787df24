-- Threshold foundation schema.
-- Column names follow HUD's HMIS CSV FY2026 v1.0 (snake_case of the CSV header); codes are the
-- HUD integer codes (see app/src/domain/codes.rs). Every editable table carries:
--   version (optimistic concurrency), created_at/by, updated_at/by, deleted_at (soft delete).
-- CHECK constraints back the rules that must never break, whatever the application does.

-- ---------------------------------------------------------------------------------------------
-- Continua of Care
create table cocs (
    code        text primary key check (code ~ '^[A-Z]{2}-[0-9]{3}$'),
    name        text not null check (length(name) between 1 and 200)
);

-- ---------------------------------------------------------------------------------------------
-- Users (HUD 5.07 UserID / User.csv)
create table users (
    id                      bigint generated always as identity primary key,
    username                text not null check (username ~ '^[a-z0-9._-]{3,50}$'),
    first_name              text not null check (length(first_name) between 1 and 50),
    last_name               text not null check (length(last_name) between 1 and 50),
    email                   text check (length(email) <= 320),
    phone                   text check (phone ~ '^[0-9]{10}$'),
    password_hash           text not null,
    must_change_password    boolean not null default false,
    active                  boolean not null default true,
    -- bumped on password change / deactivation: sessions made under an older epoch are refused
    auth_epoch              integer not null default 1,
    version                 integer not null default 1,
    created_at              timestamptz not null default now(),
    created_by              bigint references users(id),
    updated_at              timestamptz not null default now(),
    updated_by              bigint references users(id),
    deleted_at              timestamptz
);
create unique index users_username_key on users (username) where deleted_at is null;

-- Organizations (HUD 2.01 / Organization.csv)
create table organizations (
    id                          bigint generated always as identity primary key,
    name                        text not null check (length(name) between 1 and 200),
    common_name                 text check (length(common_name) <= 200),
    victim_service_provider     smallint not null default 0 check (victim_service_provider in (0, 1)),
    -- set when this organization is the named CoC's Coordinated Entry organization
    ce_for_coc                  text references cocs(code),
    version                     integer not null default 1,
    created_at                  timestamptz not null default now(),
    created_by                  bigint references users(id),
    updated_at                  timestamptz not null default now(),
    updated_by                  bigint references users(id),
    deleted_at                  timestamptz
);
create unique index organizations_ce_for_coc_key on organizations (ce_for_coc)
    where ce_for_coc is not null and deleted_at is null;

-- Workgroup x Organization memberships. workgroup codes: 1 HMIS User, 2 Coordinated Entry
-- Assessor, 3 Priority List Manager, 4 System Administrator.
create table memberships (
    id              bigint generated always as identity primary key,
    user_id         bigint not null references users(id),
    organization_id bigint not null references organizations(id),
    workgroup       smallint not null check (workgroup in (1, 2, 3, 4)),
    version         integer not null default 1,
    created_at      timestamptz not null default now(),
    created_by      bigint references users(id),
    updated_at      timestamptz not null default now(),
    updated_by      bigint references users(id),
    deleted_at      timestamptz
);
create unique index memberships_unique_pair on memberships (user_id, organization_id, workgroup)
    where deleted_at is null;
create index memberships_user on memberships (user_id) where deleted_at is null;
-- the context a user applied last, restored at their next sign-in when still held
alter table users add column last_membership_id bigint references memberships(id);

-- Failed sign-ins, for throttling (kept short; pruned on success).
create table sign_in_failures (
    id          bigint generated always as identity primary key,
    username    text not null,
    ip          text,
    at          timestamptz not null default now()
);
create index sign_in_failures_username_at on sign_in_failures (username, at);

-- Audit log: one row per change (who, when, in which context, before/after).
create table audit_log (
    id              bigint generated always as identity primary key,
    at              timestamptz not null default now(),
    user_id         bigint references users(id),
    organization_id bigint references organizations(id),
    workgroup       smallint,
    action          text not null,
    entity          text not null,
    entity_id       bigint,
    before          jsonb,
    after           jsonb
);
create index audit_log_entity on audit_log (entity, entity_id, at);

-- ---------------------------------------------------------------------------------------------
-- Projects (HUD 2.02 / Project.csv, with its single CoC as in ProjectCoC.csv)
create table projects (
    id                          bigint generated always as identity primary key,
    organization_id             bigint not null references organizations(id),
    name                        text not null check (length(name) between 1 and 200),
    common_name                 text check (length(common_name) <= 200),
    operating_start_date        date not null,
    operating_end_date          date check (operating_end_date >= operating_start_date),
    continuum_project           smallint not null default 1 check (continuum_project in (0, 1)),
    project_type                smallint check (project_type in (0,1,2,3,4,6,7,8,9,10,11,12,13,14)),
    housing_type                smallint check (housing_type in (1, 2, 3)),
    rrh_sub_type                smallint check (rrh_sub_type in (1, 2)),
    residential_affiliation     smallint check (residential_affiliation in (0, 1)),
    target_population           smallint check (target_population in (1, 3, 4)),
    coc_code                    text not null references cocs(code),
    -- HUD 2.02.6: ProjectType may be null only when ContinuumProject <> 1
    constraint project_type_required check (continuum_project = 0 or project_type is not null),
    -- HUD 2.02.A: RRHSubType only (and always) for RRH
    constraint rrh_sub_type_dependent check ((project_type = 13) = (rrh_sub_type is not null)),
    version                     integer not null default 1,
    created_at                  timestamptz not null default now(),
    created_by                  bigint references users(id),
    updated_at                  timestamptz not null default now(),
    updated_by                  bigint references users(id),
    deleted_at                  timestamptz
);
create index projects_organization on projects (organization_id) where deleted_at is null;
create index projects_coc on projects (coc_code) where deleted_at is null;

-- HUD 2.09 CE Participation (CEParticipation.csv); ReceivesReferrals = 1 marks housing providers
-- that see CE referrals.
create table ce_participations (
    id                      bigint generated always as identity primary key,
    project_id              bigint not null references projects(id),
    access_point            smallint not null check (access_point in (0, 1)),
    prevention_assessment   smallint check (prevention_assessment in (0, 1)),
    crisis_assessment       smallint check (crisis_assessment in (0, 1)),
    housing_assessment      smallint check (housing_assessment in (0, 1)),
    direct_services         smallint check (direct_services in (0, 1)),
    receives_referrals      smallint not null check (receives_referrals in (0, 1)),
    start_date              date not null,
    end_date                date check (end_date >= start_date),
    -- HUD 2.09.A: the assessment columns are non-null when AccessPoint = 1
    constraint access_point_dependents check (access_point = 0 or (prevention_assessment is not null
        and crisis_assessment is not null and housing_assessment is not null and direct_services is not null)),
    version                 integer not null default 1,
    created_at              timestamptz not null default now(),
    created_by              bigint references users(id),
    updated_at              timestamptz not null default now(),
    updated_by              bigint references users(id),
    deleted_at              timestamptz
);
create index ce_participations_project on ce_participations (project_id) where deleted_at is null;

-- ---------------------------------------------------------------------------------------------
-- Clients (HUD 3.01-3.07, 4.21 / Client.csv) plus contact information
create table clients (
    id                          bigint generated always as identity primary key,
    first_name                  text check (length(first_name) <= 50),
    middle_name                 text check (length(middle_name) <= 50),
    last_name                   text check (length(last_name) <= 50),
    name_suffix                 text check (length(name_suffix) <= 50),
    name_data_quality           smallint not null default 99 check (name_data_quality in (1, 2, 8, 9, 99)),
    ssn                         text check (ssn ~ '^[0-9xX]{9}$'),
    ssn_data_quality            smallint not null default 99 check (ssn_data_quality in (1, 2, 8, 9, 99)),
    dob                         date,
    dob_data_quality            smallint not null default 99 check (dob_data_quality in (1, 2, 8, 9, 99)),
    sex                         smallint check (sex in (0, 1, 8, 9, 99)),
    am_ind_ak_native            smallint not null default 0 check (am_ind_ak_native in (0, 1)),
    asian                       smallint not null default 0 check (asian in (0, 1)),
    black_af_american           smallint not null default 0 check (black_af_american in (0, 1)),
    hispanic_latinao            smallint not null default 0 check (hispanic_latinao in (0, 1)),
    mid_east_n_african          smallint not null default 0 check (mid_east_n_african in (0, 1)),
    native_hi_pacific           smallint not null default 0 check (native_hi_pacific in (0, 1)),
    white                       smallint not null default 0 check (white in (0, 1)),
    race_none                   smallint check (race_none in (8, 9, 99)),
    additional_race_ethnicity   text check (length(additional_race_ethnicity) <= 100),
    veteran_status              smallint not null default 99 check (veteran_status in (0, 1, 8, 9, 99)),
    -- contact information (Client Profile)
    phone                       text check (phone ~ '^[0-9]{10}$'),
    email                       text check (length(email) <= 320),
    address_line1               text check (length(address_line1) <= 200),
    address_line2               text check (length(address_line2) <= 200),
    city                        text check (length(city) <= 100),
    state                       text check (state ~ '^[A-Z]{2}$'),
    zip                         text check (zip ~ '^[0-9]{5}$'),
    contact_updated_at          timestamptz,
    contact_updated_by          bigint references users(id),
    -- HUD 3.04: RaceNone only when no race category is selected
    constraint race_none_dependent check (race_none is null or (am_ind_ak_native + asian + black_af_american
        + hispanic_latinao + mid_east_n_african + native_hi_pacific + white) = 0),
    version                     integer not null default 1,
    created_at                  timestamptz not null default now(),
    created_by                  bigint references users(id),
    updated_at                  timestamptz not null default now(),
    updated_by                  bigint references users(id),
    deleted_at                  timestamptz
);
create index clients_last_first on clients (lower(last_name), lower(first_name)) where deleted_at is null;
create index clients_dob on clients (dob) where deleted_at is null;

-- ---------------------------------------------------------------------------------------------
-- Enrollments (HUD 3.10, 3.15, 3.16, 3.917, 3.08, 3.20, 5.09 / Enrollment.csv)
create table enrollments (
    id                                  bigint generated always as identity primary key,
    client_id                           bigint not null references clients(id),
    project_id                          bigint not null references projects(id),
    household_id                        uuid not null,
    relationship_to_hoh                 smallint not null check (relationship_to_hoh in (1, 2, 3, 4, 5, 99)),
    entry_date                          date not null,
    enrollment_coc                      text references cocs(code),
    living_situation                    smallint check (living_situation in (116,101,118,215,206,207,225,204,205,
                                            302,329,314,332,336,335,410,435,421,411,8,9,99)),
    rental_subsidy_type                 smallint check (rental_subsidy_type in (428,419,431,433,434,420,436,437,438,439,440)),
    length_of_stay                      smallint check (length_of_stay in (10, 11, 2, 3, 4, 5, 8, 9, 99)),
    los_under_threshold                 smallint check (los_under_threshold in (0, 1, 99)),
    previous_street_essh                smallint check (previous_street_essh in (0, 1, 99)),
    date_to_street_essh                 date,
    times_homeless_past_three_years     smallint check (times_homeless_past_three_years in (1, 2, 3, 4, 8, 9, 99)),
    months_homeless_past_three_years    smallint check (months_homeless_past_three_years in
                                            (101,102,103,104,105,106,107,108,109,110,111,112,113,8,9,99)),
    disabling_condition                 smallint not null default 99 check (disabling_condition in (0, 1, 8, 9, 99)),
    move_in_date                        date check (move_in_date >= entry_date),
    -- HUD 3.917.A: RentalSubsidyType is null unless LivingSituation = 435
    constraint rental_subsidy_dependent check (rental_subsidy_type is null or living_situation = 435),
    version                             integer not null default 1,
    created_at                          timestamptz not null default now(),
    created_by                          bigint references users(id),
    updated_at                          timestamptz not null default now(),
    updated_by                          bigint references users(id),
    deleted_at                          timestamptz
);
create index enrollments_client on enrollments (client_id) where deleted_at is null;
create index enrollments_project on enrollments (project_id) where deleted_at is null;
create index enrollments_household on enrollments (household_id);
-- exactly one head of household per household (HUD 3.15 / CSV rule)
create unique index enrollments_one_hoh on enrollments (household_id)
    where relationship_to_hoh = 1 and deleted_at is null;

-- Exits (HUD 3.11, 3.12 / Exit.csv): at most one per enrollment
create table exits (
    id                          bigint generated always as identity primary key,
    enrollment_id               bigint not null references enrollments(id),
    exit_date                   date not null,
    destination                 smallint not null check (destination in (116,101,118,215,206,207,225,204,205,
                                    302,329,314,332,312,313,327,422,423,426,410,435,421,411,30,17,24,8,9,99)),
    destination_subsidy_type    smallint check (destination_subsidy_type in (428,419,431,433,434,420,436,437,438,439,440)),
    other_destination           text check (length(other_destination) <= 50),
    -- HUD 3.12.A / 3.12.B dependent fields
    constraint destination_subsidy_dependent check ((destination = 435) = (destination_subsidy_type is not null)),
    constraint other_destination_dependent check ((destination = 17) = (other_destination is not null)),
    version                     integer not null default 1,
    created_at                  timestamptz not null default now(),
    created_by                  bigint references users(id),
    updated_at                  timestamptz not null default now(),
    updated_by                  bigint references users(id),
    deleted_at                  timestamptz
);
create unique index exits_one_per_enrollment on exits (enrollment_id) where deleted_at is null;

-- Server-side drafts of the guided intake, so a closed tab resumes where it stopped.
create table intake_drafts (
    id              bigint generated always as identity primary key,
    client_id       bigint not null references clients(id),
    organization_id bigint not null references organizations(id),
    user_id         bigint not null references users(id),
    ce_event_id     bigint,
    data            jsonb not null default '{}'::jsonb,
    version         integer not null default 1,
    created_at      timestamptz not null default now(),
    created_by      bigint references users(id),
    updated_at      timestamptz not null default now(),
    updated_by      bigint references users(id),
    deleted_at      timestamptz
);
create index intake_drafts_client on intake_drafts (client_id, user_id) where deleted_at is null;

-- ---------------------------------------------------------------------------------------------
-- Referral Need Statuses (local CoC convention; section 6 of the HMIS reference)
create table referral_need_statuses (
    id              bigint generated always as identity primary key,
    coc_code        text not null references cocs(code),
    name            text not null check (length(name) between 1 and 200),
    sort_order      integer not null,
    -- the status a new referral starts in ("awaiting response by housing provider")
    is_initial      boolean not null default false,
    is_final        boolean not null default false,
    days_allowed    integer check (days_allowed > 0),
    business_days   boolean not null default false,
    version         integer not null default 1,
    created_at      timestamptz not null default now(),
    created_by      bigint references users(id),
    updated_at      timestamptz not null default now(),
    updated_by      bigint references users(id),
    deleted_at      timestamptz
);
create unique index referral_need_statuses_name on referral_need_statuses (coc_code, name) where deleted_at is null;
create unique index referral_need_statuses_initial on referral_need_statuses (coc_code) where is_initial and deleted_at is null;

create table referral_need_status_transitions (
    from_status_id  bigint not null references referral_need_statuses(id),
    to_status_id    bigint not null references referral_need_statuses(id),
    primary key (from_status_id, to_status_id)
);

-- "If Not Housed, Reason" picklist: HUD has none, so it is a configurable table.
create table not_housed_reasons (
    id          bigint generated always as identity primary key,
    label       text not null check (length(label) between 1 and 200),
    sort_order  integer not null,
    active      boolean not null default true,
    version     integer not null default 1,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    deleted_at  timestamptz
);

-- CE Events (HUD 4.20 / Event.csv) plus the referral-handling fields of the CE Event form
create table ce_events (
    id                              bigint generated always as identity primary key,
    enrollment_id                   bigint not null references enrollments(id),   -- the CE enrollment
    client_id                       bigint not null references clients(id),       -- PersonalID, denormalised
    event_date                      date not null,
    event                           smallint not null check (event between 1 and 18),
    prob_sol_div_rr_result          smallint check (prob_sol_div_rr_result in (0, 1, 99)),
    referral_case_manage_after      smallint check (referral_case_manage_after in (0, 1, 99)),
    location_crisis_or_ph_housing   text check (length(location_crisis_or_ph_housing) <= 250),
    referral_result                 smallint check (referral_result in (1, 2, 3)),
    result_date                     date,
    -- Threshold's referral fields
    referred_project_id             bigint references projects(id),
    date_referral_acknowledged      date,
    provider_contact_name           text check (length(provider_contact_name) <= 100),
    provider_contact_phone          text check (provider_contact_phone ~ '^[0-9]{10}$'),
    provider_contact_email          text check (length(provider_contact_email) <= 320),
    resulting_enrollment_id         bigint references enrollments(id),
    not_housed_reason_id            bigint references not_housed_reasons(id),
    need_status_id                  bigint references referral_need_statuses(id),
    need_status_since               timestamptz,
    -- HUD 4.20 dependent fields (CSV General Rule 6)
    constraint prob_sol_dependent check (prob_sol_div_rr_result is null or event = 2),
    constraint case_manage_dependent check (referral_case_manage_after is null or event = 5),
    constraint location_dependent check (location_crisis_or_ph_housing is null or event between 10 and 15),
    constraint referral_result_dependent check (referral_result is null or event between 10 and 15 or event in (17, 18)),
    -- HUD 4.20.E: ResultDate exactly when ReferralResult
    constraint result_date_dependent check ((referral_result is null) = (result_date is null)),
    constraint result_not_before_event check (result_date >= event_date),
    constraint acknowledged_not_before_event check (date_referral_acknowledged >= event_date),
    -- a successful referral names its enrollment; others do not
    constraint resulting_enrollment_dependent check ((referral_result = 1) = (resulting_enrollment_id is not null)),
    version                         integer not null default 1,
    created_at                      timestamptz not null default now(),
    created_by                      bigint references users(id),
    updated_at                      timestamptz not null default now(),
    updated_by                      bigint references users(id),
    deleted_at                      timestamptz
);
create index ce_events_client on ce_events (client_id) where deleted_at is null;
create index ce_events_enrollment on ce_events (enrollment_id) where deleted_at is null;
create index ce_events_referred_project on ce_events (referred_project_id, event_date) where deleted_at is null;
-- an enrollment is the result of at most one referral
create unique index ce_events_resulting_enrollment on ce_events (resulting_enrollment_id)
    where resulting_enrollment_id is not null and deleted_at is null;

create table ce_event_need_status_history (
    id              bigint generated always as identity primary key,
    ce_event_id     bigint not null references ce_events(id),
    status_id       bigint not null references referral_need_statuses(id),
    since           timestamptz not null default now(),
    set_by          bigint references users(id),
    organization_id bigint references organizations(id)
);
create index ce_event_need_status_history_event on ce_event_need_status_history (ce_event_id, since);

-- ---------------------------------------------------------------------------------------------
-- Non-CE referrals (ClientTrack Referrals / Referral Outcome / Outcome Information)
-- result: 1 Services Provided, 2 Information Only, 3 Rejected, 4 No Show
create table referrals (
    id                          bigint generated always as identity primary key,
    client_id                   bigint not null references clients(id),
    from_project_id             bigint not null references projects(id),
    to_project_id               bigint not null references projects(id),
    referral_date               date not null,
    service                     text not null check (length(service) between 1 and 200),
    referral_comments           text check (length(referral_comments) <= 2000),
    date_referral_acknowledged  date check (date_referral_acknowledged >= referral_date),
    appointment_date            date,
    result_date                 date check (result_date >= referral_date),
    result                      smallint check (result in (1, 2, 3, 4)),
    outcome_comments            text check (length(outcome_comments) <= 2000),
    constraint result_needs_date check ((result is null) = (result_date is null)),
    constraint result_needs_acknowledgement check (result is null or date_referral_acknowledged is not null),
    version                     integer not null default 1,
    created_at                  timestamptz not null default now(),
    created_by                  bigint references users(id),
    updated_at                  timestamptz not null default now(),
    updated_by                  bigint references users(id),
    deleted_at                  timestamptz
);
create index referrals_client on referrals (client_id) where deleted_at is null;
create index referrals_to_project on referrals (to_project_id) where deleted_at is null;
create index referrals_from_project on referrals (from_project_id) where deleted_at is null;

-- Seeded picklist for "If Not Housed, Reason" (local practice; HUD has no list).
insert into not_housed_reasons (label, sort_order) values
    ('Client could not be contacted', 1),
    ('Client declined the housing offered', 2),
    ('Client found other housing', 3),
    ('Client ineligible for the project', 4),
    ('Unit not available or fell through', 5),
    ('Client did not pass landlord screening', 6),
    ('Client moved out of the area', 7),
    ('Client entered an institution (hospital, jail, treatment)', 8),
    ('Client deceased', 9),
    ('Other', 10);
