//! HUD HMIS CSV Format Specifications FY2026 v1.0: the files Threshold holds data for, their
//! exact header names and order, types, nullability and code lists (reference section 3).
//! The writer and the validator both read these tables, so they cannot disagree.

/// A column's data type (CSV26 "Data Types").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// S#: a string of at most this many characters, always quoted.
    Text(usize),
    /// I: a non-negative integer, optionally from a HUD list.
    Int(Option<&'static [i16]>),
    /// D: YYYY-MM-DD.
    Date,
    /// T: YYYY-MM-DD hh:mm:ss.
    DateTime,
}

/// Value patterns some string columns must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Any,
    /// 3.02.1 `^[0-9xX]{9}$`
    Ssn,
    /// `^[a-zA-Z]{2}-[0-9]{3}$`
    CocCode,
    /// 2.03.2: six digits
    Geocode,
    /// five digits
    Zip,
    /// ten digits, no punctuation
    Phone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
    pub pattern: Pattern,
}

const fn col(name: &'static str, kind: Kind, nullable: bool) -> Column {
    Column {
        name,
        kind,
        nullable,
        pattern: Pattern::Any,
    }
}
const fn text(name: &'static str, max: usize) -> Column {
    col(name, Kind::Text(max), false)
}
const fn text_opt(name: &'static str, max: usize) -> Column {
    col(name, Kind::Text(max), true)
}
const fn int(name: &'static str, list: &'static [i16]) -> Column {
    col(name, Kind::Int(Some(list)), false)
}
const fn int_opt(name: &'static str, list: &'static [i16]) -> Column {
    col(name, Kind::Int(Some(list)), true)
}
/// A nullable integer without a list (counts, years, scores).
const fn num_opt(name: &'static str) -> Column {
    col(name, Kind::Int(None), true)
}
const fn date(name: &'static str) -> Column {
    col(name, Kind::Date, false)
}
const fn date_opt(name: &'static str) -> Column {
    col(name, Kind::Date, true)
}
const fn datetime(name: &'static str) -> Column {
    col(name, Kind::DateTime, false)
}
const fn with(column: Column, pattern: Pattern) -> Column {
    Column { pattern, ..column }
}

/// An ID column: S32, required.
const fn id(name: &'static str) -> Column {
    text(name, 32)
}

// HUD lists (CSV26 Appendix B). Unit tests tie them to the enums in `domain::codes`.
pub const NO_YES: &[i16] = &[0, 1]; // 1.10
pub const NO_YES_MISSING: &[i16] = &[0, 1, 99]; // 1.7
pub const NO_YES_REASONS: &[i16] = &[0, 1, 8, 9, 99]; // 1.8
pub const RACE_NONE: &[i16] = &[8, 9, 99]; // 1.6
pub const DATA_QUALITY: &[i16] = &[1, 2, 8, 9, 99]; // 3.01.5, 3.02.2, 3.03.2
pub const SEX: &[i16] = &[0, 1, 8, 9, 99]; // 4.21
pub const PROJECT_TYPE: &[i16] = &[0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14]; // 2.02.6
pub const HOUSING_TYPE: &[i16] = &[1, 2, 3]; // 2.02.D
pub const RRH_SUB_TYPE: &[i16] = &[1, 2]; // 2.02.A
pub const TARGET_POPULATION: &[i16] = &[1, 3, 4]; // 2.02.7
pub const HOPWA_MED_ASSISTED: &[i16] = &[0, 1, 2]; // 2.02.8
pub const GEOGRAPHY_TYPE: &[i16] = &[1, 2, 3, 99]; // 2.03.4
pub const RELATIONSHIP_TO_HOH: &[i16] = &[1, 2, 3, 4, 5, 99]; // 3.15.1
/// 3.12.1 as allowed for 3.917 Prior Living Situation.
pub const PRIOR_LIVING_SITUATION: &[i16] = &[
    116, 101, 118, 215, 206, 207, 225, 204, 205, 302, 329, 314, 332, 336, 335, 410, 435, 421, 411,
    8, 9, 99,
];
/// 3.12.1 as allowed for 3.12 Destination.
pub const DESTINATION: &[i16] = &[
    116, 101, 118, 215, 206, 207, 225, 204, 205, 302, 329, 314, 332, 312, 313, 327, 422, 423, 426,
    410, 435, 421, 411, 30, 17, 24, 8, 9, 99,
];
pub const RENTAL_SUBSIDY_TYPE: &[i16] = &[428, 419, 431, 433, 434, 420, 436, 437, 438, 439, 440]; // 3.12.A
pub const LENGTH_OF_STAY: &[i16] = &[10, 11, 2, 3, 4, 5, 8, 9, 99]; // 3.917.2
pub const TIMES_HOMELESS: &[i16] = &[1, 2, 3, 4, 8, 9, 99]; // 3.917.4
pub const MONTHS_HOMELESS: &[i16] = &[
    101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 8, 9, 99,
]; // 3.917.5
pub const EVENT: &[i16] = &[
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
]; // 4.20.2
pub const REFERRAL_RESULT: &[i16] = &[1, 2, 3]; // 4.20.D
pub const SOURCE_TYPE: &[i16] = &[1, 2, 3, 4]; // 1.9
pub const EXPORT_PERIOD_TYPE: &[i16] = &[1, 3, 4]; // 1.1
pub const EXPORT_DIRECTIVE: &[i16] = &[1, 2, 3]; // 1.2
pub const HASH_STATUS: &[i16] = &[1, 2, 3, 4]; // 1.5

/// The five columns that end most files.
macro_rules! metadata {
    () => {
        [
            datetime("DateCreated"),
            datetime("DateUpdated"),
            id("UserID"),
            col("DateDeleted", Kind::DateTime, true),
            id("ExportID"),
        ]
    };
}

/// Concatenates column arrays at compile time.
macro_rules! columns {
    ($($part:expr),+ $(,)?) => {{
        const PARTS: &[&[Column]] = &[$(&$part),+];
        const LEN: usize = { let mut n = 0; let mut i = 0; while i < PARTS.len() { n += PARTS[i].len(); i += 1; } n };
        const ALL: [Column; LEN] = {
            let mut out = [col("", Kind::Date, true); LEN];
            let (mut n, mut i) = (0, 0);
            while i < PARTS.len() {
                let mut j = 0;
                while j < PARTS[i].len() { out[n] = PARTS[i][j]; n += 1; j += 1; }
                i += 1;
            }
            out
        };
        &ALL
    }};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpec {
    pub name: &'static str,
    pub columns: &'static [Column],
}

impl FileSpec {
    pub fn index(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == column)
    }

    pub fn header(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.name).collect()
    }
}

/// 3.2 Export.csv (19)
pub const EXPORT: FileSpec = FileSpec {
    name: "Export.csv",
    columns: &[
        id("ExportID"),
        int("SourceType", SOURCE_TYPE),
        text_opt("SourceID", 350),
        text_opt("SourceName", 50),
        text_opt("SourceContactFirst", 50),
        text_opt("SourceContactLast", 50),
        with(text_opt("SourceContactPhone", 10), Pattern::Phone),
        text_opt("SourceContactExtension", 5),
        text_opt("SourceContactEmail", 320),
        datetime("ExportDate"),
        date("ExportStartDate"),
        date("ExportEndDate"),
        text("SoftwareName", 50),
        text_opt("SoftwareVersion", 50),
        text_opt("CSVVersion", 50),
        int("ExportPeriodType", EXPORT_PERIOD_TYPE),
        int("ExportDirective", EXPORT_DIRECTIVE),
        int("HashStatus", HASH_STATUS),
        text("ImplementationID", 200),
    ],
};

/// 3.3 Organization.csv (9)
pub const ORGANIZATION: FileSpec = FileSpec {
    name: "Organization.csv",
    columns: columns![
        [
            id("OrganizationID"),
            text("OrganizationName", 200),
            int("VictimServiceProvider", NO_YES),
            text_opt("OrganizationCommonName", 200),
        ],
        metadata!(),
    ],
};

/// 3.4 User.csv (10): no UserID metadata column of its own.
pub const USER: FileSpec = FileSpec {
    name: "User.csv",
    columns: &[
        id("UserID"),
        text_opt("UserFirstName", 50),
        text_opt("UserLastName", 50),
        with(text_opt("UserPhone", 10), Pattern::Phone),
        text_opt("UserExtension", 5),
        text_opt("UserEmail", 320),
        datetime("DateCreated"),
        datetime("DateUpdated"),
        col("DateDeleted", Kind::DateTime, true),
        id("ExportID"),
    ],
};

/// 3.5 Project.csv (19)
pub const PROJECT: FileSpec = FileSpec {
    name: "Project.csv",
    columns: columns![
        [
            id("ProjectID"),
            id("OrganizationID"),
            text("ProjectName", 200),
            text_opt("ProjectCommonName", 200),
            date("OperatingStartDate"),
            date_opt("OperatingEndDate"),
            int("ContinuumProject", NO_YES),
            int_opt("ProjectType", PROJECT_TYPE),
            int_opt("HousingType", HOUSING_TYPE),
            int_opt("RRHSubType", RRH_SUB_TYPE),
            int_opt("ResidentialAffiliation", NO_YES),
            int_opt("TargetPopulation", TARGET_POPULATION),
            int_opt("HOPWAMedAssistedLivingFac", HOPWA_MED_ASSISTED),
            num_opt("PITCount"),
        ],
        metadata!(),
    ],
};

/// ProjectCoC.csv (15): one row per project and CoC (2.03).
pub const PROJECT_COC: FileSpec = FileSpec {
    name: "ProjectCoC.csv",
    columns: columns![
        [
            id("ProjectCoCID"),
            id("ProjectID"),
            with(text("CoCCode", 6), Pattern::CocCode),
            with(text("Geocode", 6), Pattern::Geocode),
            text_opt("Address1", 100),
            text_opt("Address2", 100),
            text_opt("City", 50),
            text_opt("State", 2),
            with(text_opt("ZIP", 5), Pattern::Zip),
            int_opt("GeographyType", GEOGRAPHY_TYPE),
        ],
        metadata!(),
    ],
};

/// 3.6 CEParticipation.csv (15)
pub const CE_PARTICIPATION: FileSpec = FileSpec {
    name: "CEParticipation.csv",
    columns: columns![
        [
            id("CEParticipationID"),
            id("ProjectID"),
            int("AccessPoint", NO_YES),
            int_opt("PreventionAssessment", NO_YES),
            int_opt("CrisisAssessment", NO_YES),
            int_opt("HousingAssessment", NO_YES),
            int_opt("DirectServices", NO_YES),
            int("ReceivesReferrals", NO_YES),
            date("CEParticipationStatusStartDate"),
            date_opt("CEParticipationStatusEndDate"),
        ],
        metadata!(),
    ],
};

/// 3.7 Client.csv (FY2026: 38)
pub const CLIENT: FileSpec = FileSpec {
    name: "Client.csv",
    columns: columns![
        [
            id("PersonalID"),
            text_opt("FirstName", 50),
            text_opt("MiddleName", 50),
            text_opt("LastName", 50),
            text_opt("NameSuffix", 50),
            int("NameDataQuality", DATA_QUALITY),
            with(text_opt("SSN", 9), Pattern::Ssn),
            int("SSNDataQuality", DATA_QUALITY),
            date_opt("DOB"),
            int("DOBDataQuality", DATA_QUALITY),
            int_opt("Sex", SEX),
            int("AmIndAKNative", NO_YES),
            int("Asian", NO_YES),
            int("BlackAfAmerican", NO_YES),
            int("HispanicLatinao", NO_YES),
            int("MidEastNAfrican", NO_YES),
            int("NativeHIPacific", NO_YES),
            int("White", NO_YES),
            int_opt("RaceNone", RACE_NONE),
            text_opt("AdditionalRaceEthnicity", 100),
            int("VeteranStatus", NO_YES_REASONS),
            num_opt("YearEnteredService"),
            num_opt("YearSeparated"),
            int_opt("WorldWarII", NO_YES_REASONS),
            int_opt("KoreanWar", NO_YES_REASONS),
            int_opt("VietnamWar", NO_YES_REASONS),
            int_opt("DesertStorm", NO_YES_REASONS),
            int_opt("AfghanistanOEF", NO_YES_REASONS),
            int_opt("IraqOIF", NO_YES_REASONS),
            int_opt("IraqOND", NO_YES_REASONS),
            int_opt("OtherTheater", NO_YES_REASONS),
            num_opt("MilitaryBranch"),
            num_opt("DischargeStatus"),
        ],
        metadata!(),
    ],
};

/// 3.8 Enrollment.csv (FY2026: 67; MentalHealthConsultation at position 62)
pub const ENROLLMENT: FileSpec = FileSpec {
    name: "Enrollment.csv",
    columns: columns![
        [
            id("EnrollmentID"),
            id("PersonalID"),
            id("ProjectID"),
            date("EntryDate"),
            id("HouseholdID"),
            int("RelationshipToHoH", RELATIONSHIP_TO_HOH),
            with(text_opt("EnrollmentCoC", 6), Pattern::CocCode),
            int_opt("LivingSituation", PRIOR_LIVING_SITUATION),
            int_opt("RentalSubsidyType", RENTAL_SUBSIDY_TYPE),
            int_opt("LengthOfStay", LENGTH_OF_STAY),
            int_opt("LOSUnderThreshold", NO_YES_MISSING),
            int_opt("PreviousStreetESSH", NO_YES_MISSING),
            date_opt("DateToStreetESSH"),
            int_opt("TimesHomelessPastThreeYears", TIMES_HOMELESS),
            int_opt("MonthsHomelessPastThreeYears", MONTHS_HOMELESS),
            int("DisablingCondition", NO_YES_REASONS),
            date_opt("DateOfEngagement"),
            date_opt("MoveInDate"),
            date_opt("DateOfPATHStatus"),
            int_opt("ClientEnrolledInPATH", NO_YES_MISSING),
            num_opt("ReasonNotEnrolled"),
            num_opt("PercentAMI"),
            num_opt("ReferralSource"),
            num_opt("CountOutreachReferralApproaches"),
            date_opt("DateOfBCPStatus"),
            int_opt("EligibleForRHY", NO_YES_MISSING),
            num_opt("ReasonNoServices"),
            int_opt("RunawayYouth", NO_YES_REASONS),
            int_opt("FormerWardChildWelfare", NO_YES_REASONS),
            num_opt("ChildWelfareYears"),
            num_opt("ChildWelfareMonths"),
            int_opt("FormerWardJuvenileJustice", NO_YES_REASONS),
            num_opt("JuvenileJusticeYears"),
            num_opt("JuvenileJusticeMonths"),
            int_opt("UnemploymentFam", NO_YES_REASONS),
            int_opt("MentalHealthDisorderFam", NO_YES_REASONS),
            int_opt("PhysicalDisabilityFam", NO_YES_REASONS),
            int_opt("AlcoholDrugUseDisorderFam", NO_YES_REASONS),
            int_opt("InsufficientIncome", NO_YES_REASONS),
            int_opt("IncarceratedParent", NO_YES_REASONS),
            text_opt("VAMCStation", 5),
            int_opt("TargetScreenReqd", NO_YES_MISSING),
            num_opt("TimeToHousingLoss"),
            num_opt("AnnualPercentAMI"),
            num_opt("LiteralHomelessHistory"),
            int_opt("ClientLeaseholder", NO_YES_MISSING),
            int_opt("HOHLeaseholder", NO_YES_MISSING),
            int_opt("SubsidyAtRisk", NO_YES_MISSING),
            num_opt("EvictionHistory"),
            int_opt("CriminalRecord", NO_YES_MISSING),
            num_opt("IncarceratedAdult"),
            int_opt("PrisonDischarge", NO_YES_MISSING),
            int_opt("SexOffender", NO_YES_MISSING),
            int_opt("DisabledHoH", NO_YES_MISSING),
            int_opt("CurrentPregnant", NO_YES_MISSING),
            int_opt("SingleParent", NO_YES_MISSING),
            num_opt("DependentUnder6"),
            int_opt("HH5Plus", NO_YES_MISSING),
            int_opt("CoCPrioritized", NO_YES_MISSING),
            num_opt("HPScreeningScore"),
            num_opt("ThresholdScore"),
            num_opt("MentalHealthConsultation"),
        ],
        metadata!(),
    ],
};

/// 3.9 Exit.csv (44)
pub const EXIT: FileSpec = FileSpec {
    name: "Exit.csv",
    columns: columns![
        [
            id("ExitID"),
            id("EnrollmentID"),
            id("PersonalID"),
            date("ExitDate"),
            int("Destination", DESTINATION),
            int_opt("DestinationSubsidyType", RENTAL_SUBSIDY_TYPE),
            text_opt("OtherDestination", 50),
            num_opt("HousingAssessment"),
            num_opt("SubsidyInformation"),
            num_opt("ProjectCompletionStatus"),
            num_opt("EarlyExitReason"),
            int_opt("ExchangeForSex", NO_YES_REASONS),
            int_opt("ExchangeForSexPastThreeMonths", NO_YES_REASONS),
            num_opt("CountOfExchangeForSex"),
            int_opt("AskedOrForcedToExchangeForSex", NO_YES_REASONS),
            int_opt(
                "AskedOrForcedToExchangeForSexPastThreeMonths",
                NO_YES_REASONS
            ),
            int_opt("WorkplaceViolenceThreats", NO_YES_REASONS),
            int_opt("WorkplacePromiseDifference", NO_YES_REASONS),
            int_opt("CoercedToContinueWork", NO_YES_REASONS),
            int_opt("LaborExploitPastThreeMonths", NO_YES_REASONS),
            int_opt("CounselingReceived", NO_YES),
            int_opt("IndividualCounseling", NO_YES),
            int_opt("FamilyCounseling", NO_YES),
            int_opt("GroupCounseling", NO_YES),
            num_opt("SessionCountAtExit"),
            int_opt("PostExitCounselingPlan", NO_YES),
            num_opt("SessionsInPlan"),
            int_opt("DestinationSafeClient", NO_YES_REASONS),
            num_opt("DestinationSafeWorker"),
            num_opt("PosAdultConnections"),
            num_opt("PosPeerConnections"),
            num_opt("PosCommunityConnections"),
            date_opt("AftercareDate"),
            num_opt("AftercareProvided"),
            int_opt("EmailSocialMedia", NO_YES),
            int_opt("Telephone", NO_YES),
            int_opt("InPersonIndividual", NO_YES),
            int_opt("InPersonGroup", NO_YES),
            num_opt("CMExitReason"),
        ],
        metadata!(),
    ],
};

/// 3.10 Event.csv (15)
pub const EVENT_FILE: FileSpec = FileSpec {
    name: "Event.csv",
    columns: columns![
        [
            id("EventID"),
            id("EnrollmentID"),
            id("PersonalID"),
            date("EventDate"),
            int("Event", EVENT),
            int_opt("ProbSolDivRRResult", NO_YES_MISSING),
            int_opt("ReferralCaseManageAfter", NO_YES_MISSING),
            text_opt("LocationCrisisOrPHHousing", 250),
            int_opt("ReferralResult", REFERRAL_RESULT),
            date_opt("ResultDate"),
        ],
        metadata!(),
    ],
};

/// Every file of a Threshold export, in the order the validator reads them (each file's
/// references point to files read before it).
pub const FILES: [&FileSpec; 10] = [
    &EXPORT,
    &USER,
    &ORGANIZATION,
    &PROJECT,
    &PROJECT_COC,
    &CE_PARTICIPATION,
    &ENROLLMENT,
    &CLIENT,
    &EXIT,
    &EVENT_FILE,
];

/// HUD's CSVVersion of these files.
pub const CSV_VERSION: &str = "2026 v1.0";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::{
        EventType, LivingSituation, ProjectType, ReferralResult, RentalSubsidyType, Sex,
    };

    #[test]
    fn column_counts_match_the_fy2026_specification() {
        let counts: Vec<(&str, usize)> = FILES.iter().map(|f| (f.name, f.columns.len())).collect();
        assert_eq!(
            counts,
            vec![
                ("Export.csv", 19),
                ("User.csv", 10),
                ("Organization.csv", 9),
                ("Project.csv", 19),
                ("ProjectCoC.csv", 15),
                ("CEParticipation.csv", 15),
                ("Enrollment.csv", 67),
                ("Client.csv", 38),
                ("Exit.csv", 44),
                ("Event.csv", 15),
            ]
        );
    }

    #[test]
    fn fy2026_column_positions() {
        assert_eq!(
            ENROLLMENT.index("MentalHealthConsultation"),
            Some(61),
            "position 62 (DL-map26)"
        );
        assert_eq!(CLIENT.index("Sex"), Some(10));
        assert_eq!(CLIENT.index("HispanicLatinao"), Some(14));
        assert_eq!(
            EXIT.index("WorkplaceViolenceThreats"),
            Some(16),
            "HUD's spelling"
        );
        assert_eq!(
            EVENT_FILE.header()[..5],
            [
                "EventID",
                "EnrollmentID",
                "PersonalID",
                "EventDate",
                "Event"
            ]
        );
        for file in FILES {
            let header = file.header();
            let mut unique = header.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), header.len(), "{} repeats a column", file.name);
            assert!(
                header.iter().all(|h| !h.is_empty() && !h.contains('_')),
                "{}",
                file.name
            );
        }
    }

    #[test]
    fn lists_match_the_code_enums() {
        let codes = |all: Vec<i16>| {
            let mut all = all;
            all.sort();
            all
        };
        let sorted = |list: &[i16]| codes(list.to_vec());
        assert_eq!(
            sorted(PROJECT_TYPE),
            codes(ProjectType::ALL.iter().map(|t| t.code()).collect())
        );
        assert_eq!(
            sorted(EVENT),
            codes(EventType::ALL.iter().map(|t| t.code()).collect())
        );
        assert_eq!(
            sorted(REFERRAL_RESULT),
            codes(ReferralResult::ALL.iter().map(|t| t.code()).collect())
        );
        assert_eq!(
            sorted(SEX),
            codes(Sex::ALL.iter().map(|t| t.code()).collect())
        );
        assert_eq!(
            sorted(RENTAL_SUBSIDY_TYPE),
            codes(RentalSubsidyType::ALL.iter().map(|t| t.code()).collect())
        );
        assert_eq!(
            sorted(PRIOR_LIVING_SITUATION),
            codes(
                LivingSituation::ALL
                    .iter()
                    .filter(|l| l.allowed_as_prior())
                    .map(|l| l.code())
                    .collect()
            )
        );
        assert_eq!(
            sorted(DESTINATION),
            codes(
                LivingSituation::ALL
                    .iter()
                    .filter(|l| l.allowed_as_destination())
                    .map(|l| l.code())
                    .collect()
            )
        );
    }
}
