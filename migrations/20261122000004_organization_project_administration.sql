-- Administration of organizations and projects (HUD 2.01, 2.02, 2.03, 2.09).
--
-- 2.03 Continuum of Care information (ProjectCoC.csv): Geocode is required there, the address and
-- geography type are optional. Threshold keeps one CoC per project, so they live on projects.
alter table projects
    add column geocode        text check (geocode ~ '^[0-9]{6}$'),
    add column address1       text check (length(address1) <= 100),
    add column address2       text check (length(address2) <= 100),
    add column city           text check (length(city) <= 50),
    add column state          text check (state ~ '^[A-Z]{2}$'),
    add column zip            text check (zip ~ '^[0-9]{5}$'),
    add column geography_type smallint check (geography_type in (1, 2, 3, 99));

-- Dependent fields are null unless their parent triggers them (CSV General Rules). Values that
-- do not apply are meaningless, so clearing them loses nothing.
update projects set housing_type = null
 where housing_type is not null
   and not (project_type in (0, 1, 2, 3, 8, 9, 10) or (project_type = 13 and rrh_sub_type = 2));
update projects set residential_affiliation = null
 where residential_affiliation is not null
   and not (project_type = 6 or (project_type = 13 and rrh_sub_type = 1));
update ce_participations
   set prevention_assessment = null, crisis_assessment = null, housing_assessment = null, direct_services = null
 where access_point = 0;

alter table projects
    -- 2.02.D HousingType: residential projects, and RRH with housing (RRHSubType 2) only
    add constraint housing_type_dependent check (housing_type is null
        or project_type in (0, 1, 2, 3, 8, 9, 10) or (project_type = 13 and rrh_sub_type = 2)),
    -- 2.02.B ResidentialAffiliation: Services Only, and RRH: Services Only, only
    add constraint residential_affiliation_dependent check (residential_affiliation is null
        or project_type = 6 or (project_type = 13 and rrh_sub_type = 1));
-- ... and required where they apply. NOT VALID: checked for every row written from now on;
-- rows loaded before this migration are reported by the HMIS CSV export validator instead.
alter table projects
    add constraint housing_type_required check (housing_type is not null
        or not (project_type in (0, 1, 2, 3, 8, 9, 10) or (project_type = 13 and rrh_sub_type = 2))) not valid,
    add constraint residential_affiliation_required check (residential_affiliation is not null
        or not (project_type = 6 or (project_type = 13 and rrh_sub_type = 1))) not valid,
    add constraint geocode_required check (geocode is not null) not valid;

-- 2.09.A: the four assessment columns are non-null exactly when AccessPoint = 1.
alter table ce_participations
    add constraint access_point_dependents_only check (access_point = 1 or (prevention_assessment is null
        and crisis_assessment is null and housing_assessment is null and direct_services is null));

-- One organization per name, so people choose the right one in the Settings sidebar.
create unique index organizations_name_key on organizations (lower(name)) where deleted_at is null;
