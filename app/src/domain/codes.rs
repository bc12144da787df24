//! HUD HMIS FY2026 code lists (HMIS CSV Format Specifications FY2026 v1.0, Appendix B), each an
//! enum carrying its HUD integer code and label. Shared by the browser and the server; stored as
//! `smallint` columns.

use serde::{Deserialize, Serialize};

/// Declares a HUD code list: `Variant = code => "label"`.
macro_rules! hud_list {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The HUD integer code.
            pub const fn code(self) -> i16 {
                match self { $($name::$variant => $code),+ }
            }

            /// The HUD label, as people see it.
            pub const fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(code: i16) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// (code, label) of every value, in HUD order: a select's options.
            pub fn options() -> Vec<(i16, &'static str)> {
                Self::ALL.iter().map(|v| (v.code(), v.label())).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

hud_list! {
    /// 2.02.6 ProjectType
    ProjectType {
        EsEntryExit = 0 => "Emergency Shelter – Entry Exit",
        EsNightByNight = 1 => "Emergency Shelter – Night-by-Night",
        TransitionalHousing = 2 => "Transitional Housing",
        PermanentSupportiveHousing = 3 => "PH – Permanent Supportive Housing",
        StreetOutreach = 4 => "Street Outreach",
        ServicesOnly = 6 => "Services Only",
        Other = 7 => "Other",
        SafeHaven = 8 => "Safe Haven",
        PhHousingOnly = 9 => "PH – Housing Only",
        PhHousingWithServices = 10 => "PH – Housing with Services (no disability required for entry)",
        DayShelter = 11 => "Day Shelter",
        HomelessnessPrevention = 12 => "Homelessness Prevention",
        RapidReHousing = 13 => "PH – Rapid Re-Housing",
        CoordinatedEntry = 14 => "Coordinated Entry",
    }
}

impl ProjectType {
    /// Permanent housing (3, 9, 10, 13): the only projects that record a Housing Move-in Date.
    pub fn is_permanent_housing(self) -> bool {
        matches!(
            self,
            Self::PermanentSupportiveHousing
                | Self::PhHousingOnly
                | Self::PhHousingWithServices
                | Self::RapidReHousing
        )
    }

    /// 2.02.D HousingType applies to residential projects (ES, TH, PH but RRH, Safe Haven) and
    /// to RRH with housing (RRHSubType 2).
    pub fn takes_housing_type(self, rrh_sub_type: Option<RrhSubType>) -> bool {
        match self {
            Self::EsEntryExit
            | Self::EsNightByNight
            | Self::TransitionalHousing
            | Self::PermanentSupportiveHousing
            | Self::SafeHaven
            | Self::PhHousingOnly
            | Self::PhHousingWithServices => true,
            Self::RapidReHousing => rrh_sub_type == Some(RrhSubType::HousingWithOrWithoutServices),
            _ => false,
        }
    }

    /// 2.02.B ResidentialAffiliation applies to Services Only and to RRH: Services Only.
    pub fn takes_residential_affiliation(self, rrh_sub_type: Option<RrhSubType>) -> bool {
        match self {
            Self::ServicesOnly => true,
            Self::RapidReHousing => rrh_sub_type == Some(RrhSubType::ServicesOnly),
            _ => false,
        }
    }

    /// The CE Event (4.20.2) a referral to a project of this type records, per HUD Data Lab's
    /// mapping (reference 1.6). Joint TH-RRH (12), EHV (17) and HSV (18) are chosen by hand.
    pub fn referral_event(self) -> Option<EventType> {
        match self {
            Self::EsEntryExit | Self::EsNightByNight | Self::SafeHaven => {
                Some(EventType::EmergencyShelter)
            }
            Self::TransitionalHousing => Some(EventType::TransitionalHousing),
            Self::RapidReHousing => Some(EventType::RapidReHousing),
            Self::PermanentSupportiveHousing => Some(EventType::PermanentSupportiveHousing),
            Self::PhHousingOnly | Self::PhHousingWithServices => {
                Some(EventType::OtherPermanentHousing)
            }
            _ => None,
        }
    }
}

hud_list! {
    /// 2.02.D HousingType
    HousingType {
        SiteBasedSingle = 1 => "Site-based – single site",
        SiteBasedClustered = 2 => "Site-based – clustered / multiple sites",
        TenantBasedScattered = 3 => "Tenant-based – scattered site",
    }
}

hud_list! {
    /// 2.02.A RRHSubType
    RrhSubType {
        ServicesOnly = 1 => "RRH: Services Only",
        HousingWithOrWithoutServices = 2 => "RRH: Housing with or without services",
    }
}

hud_list! {
    /// 2.02.7 TargetPopulation
    TargetPopulation {
        DomesticViolence = 1 => "DV: Survivor of Domestic Violence",
        Hiv = 3 => "HIV: Persons with HIV/AIDS",
        NotApplicable = 4 => "NA: Not applicable",
    }
}

hud_list! {
    /// 2.03.4 GeographyType
    GeographyType {
        Urban = 1 => "Urban",
        Suburban = 2 => "Suburban",
        Rural = 3 => "Rural",
        Unknown = 99 => "Unknown / data not collected",
    }
}

hud_list! {
    /// 1.10 No/Yes
    NoYes {
        No = 0 => "No",
        Yes = 1 => "Yes",
    }
}

hud_list! {
    /// 4.20.2 Event
    EventType {
        PreventionAssistance = 1 => "Referral to Prevention Assistance project",
        ProblemSolving = 2 => "Problem Solving/Diversion/Rapid Resolution intervention or service",
        CrisisNeedsAssessment = 3 => "Referral to scheduled Coordinated Entry Crisis Needs Assessment",
        HousingNeedsAssessment = 4 => "Referral to scheduled Coordinated Entry Housing Needs Assessment",
        PostPlacement = 5 => "Referral to Post-placement/ follow-up case management",
        StreetOutreach = 6 => "Referral to Street Outreach project or services",
        HousingNavigation = 7 => "Referral to Housing Navigation project or services",
        NonContinuumIneligible = 8 => "Referral to Non-continuum services: Ineligible for continuum services",
        NonContinuumNoAvailability = 9 => "Referral to Non-continuum services: No availability in continuum services",
        EmergencyShelter = 10 => "Referral to Emergency Shelter bed opening",
        TransitionalHousing = 11 => "Referral to Transitional Housing bed/unit opening",
        JointThRrh = 12 => "Referral to Joint TH-RRH project/unit/resource opening",
        RapidReHousing = 13 => "Referral to RRH project resource opening",
        PermanentSupportiveHousing = 14 => "Referral to PSH project resource opening",
        OtherPermanentHousing = 15 => "Referral to Other PH project/unit/resource opening",
        EmergencyAssistance = 16 => "Referral to emergency assistance/flex fund/furniture assistance",
        EmergencyHousingVoucher = 17 => "Referral to Emergency Housing Voucher (EHV)",
        HousingStabilityVoucher = 18 => "Referral to a Housing Stability Voucher",
    }
}

impl EventType {
    /// 4.20.D ReferralResult applies to events 10–15, 17 and 18.
    pub fn takes_referral_result(self) -> bool {
        matches!(self.code(), 10..=15 | 17 | 18)
    }

    /// 4.20.C LocationCrisisOrPHHousing applies to events 10–15.
    pub fn takes_location(self) -> bool {
        matches!(self.code(), 10..=15)
    }
}

hud_list! {
    /// 4.20.D ReferralResult
    ReferralResult {
        SuccessfulClientAccepted = 1 => "Successful referral: client accepted",
        UnsuccessfulClientRejected = 2 => "Unsuccessful referral: client rejected",
        UnsuccessfulProviderRejected = 3 => "Unsuccessful referral: provider rejected",
    }
}

hud_list! {
    /// 3.15.1 RelationshipToHoH
    RelationshipToHoH {
        SelfHead = 1 => "Self (Head of Household)",
        Child = 2 => "Head of household's child",
        SpouseOrPartner = 3 => "Head of household's spouse or partner",
        OtherRelation = 4 => "Head of household's other relation member",
        NonRelation = 5 => "Other: non-relation member",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// 1.8 No/Yes/Reasons for Missing Data (3.07 VeteranStatus, 3.08 DisablingCondition)
    NoYesMissing {
        No = 0 => "No",
        Yes = 1 => "Yes",
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// 3.01.5 NameDataQuality
    NameDataQuality {
        Full = 1 => "Full name reported",
        Partial = 2 => "Partial, street name, or code name reported",
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// 3.02.2 SSNDataQuality
    SsnDataQuality {
        Full = 1 => "Full SSN reported",
        Partial = 2 => "Approximate or partial SSN reported",
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// 3.03.2 DOBDataQuality
    DobDataQuality {
        Full = 1 => "Full DOB reported",
        Partial = 2 => "Approximate or partial DOB reported",
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// 4.21 Sex (FY2026)
    Sex {
        Female = 0 => "Female",
        Male = 1 => "Male",
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// Non-CE referral Result (ClientTrack Outcome Information)
    NonCeReferralResult {
        ServicesProvided = 1 => "Services Provided",
        InformationOnly = 2 => "Information Only",
        Rejected = 3 => "Rejected",
        NoShow = 4 => "No Show",
    }
}

hud_list! {
    /// 1.7 No/Yes/Missing (3.917.2A/2B LOSUnderThreshold, 3.917.2C PreviousStreetESSH)
    NoYesDataNotCollected {
        No = 0 => "No",
        Yes = 1 => "Yes",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// 3.12.1 Living situation / Destination: one list for 3.917 Prior Living Situation and
    /// 3.12 Destination; which codes each element allows is in `allowed_as_*`.
    LivingSituation {
        PlaceNotMeantForHabitation = 116 => "Place not meant for habitation (e.g., a vehicle, an abandoned building, bus/train/subway station/airport or anywhere outside)",
        EmergencyShelter = 101 => "Emergency shelter, including hotel or motel paid for with emergency shelter voucher, Host Home shelter",
        SafeHaven = 118 => "Safe Haven",
        FosterCare = 215 => "Foster care home or foster care group home",
        Hospital = 206 => "Hospital or other residential non-psychiatric medical facility",
        Jail = 207 => "Jail, prison, or juvenile detention facility",
        LongTermCare = 225 => "Long-term care facility or nursing home",
        PsychiatricHospital = 204 => "Psychiatric hospital or other psychiatric facility",
        SubstanceAbuseTreatment = 205 => "Substance abuse treatment facility or detox center",
        TransitionalHousing = 302 => "Transitional housing for homeless persons (including homeless youth)",
        ResidentialProject = 329 => "Residential project or halfway house with no homeless criteria",
        HotelWithoutVoucher = 314 => "Hotel or motel paid for without emergency shelter voucher",
        HostHome = 332 => "Host Home (non-crisis)",
        FamilyTemporary = 312 => "Staying or living with family, temporary tenure (e.g. room, apartment, or house)",
        FriendsTemporary = 313 => "Staying or living with friends, temporary tenure (e.g. room, apartment, or house)",
        HopwaToTh = 327 => "Moved from one HOPWA funded project to HOPWA TH",
        FriendsRoom = 336 => "Staying or living in a friend's room, apartment, or house",
        FamilyRoom = 335 => "Staying or living in a family member's room, apartment, or house",
        FamilyPermanent = 422 => "Staying or living with family, permanent tenure",
        FriendsPermanent = 423 => "Staying or living with friends, permanent tenure",
        HopwaToPh = 426 => "Moved from one HOPWA funded project to HOPWA PH",
        RentalNoSubsidy = 410 => "Rental by client, no ongoing housing subsidy",
        RentalWithSubsidy = 435 => "Rental by client, with ongoing housing subsidy",
        OwnedWithSubsidy = 421 => "Owned by client, with ongoing housing subsidy",
        OwnedNoSubsidy = 411 => "Owned by client, no ongoing housing subsidy",
        NoExitInterview = 30 => "No exit interview completed",
        Other = 17 => "Other",
        Deceased = 24 => "Deceased",
        WorkerUnableToDetermine = 37 => "Worker unable to determine",
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

/// The 3.917 group a prior living situation falls in; it decides which questions follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LivingGroup {
    Homeless,
    Institutional,
    /// Temporary, permanent and the "doesn't know / prefers not / not collected" answers.
    TemporaryPermanentOther,
}

impl LivingSituation {
    /// 3.917 Prior Living Situation excludes 312, 313, 327, 422, 423, 426, 30, 17, 24 and 37.
    pub fn allowed_as_prior(self) -> bool {
        !matches!(
            self.code(),
            312 | 313 | 327 | 422 | 423 | 426 | 30 | 17 | 24 | 37
        )
    }

    /// 3.12 Destination excludes 336, 335 and 37.
    pub fn allowed_as_destination(self) -> bool {
        !matches!(self.code(), 336 | 335 | 37)
    }

    /// The hundreds digit gives the category: 1xx homeless, 2xx institutional.
    pub fn group(self) -> LivingGroup {
        match self.code() {
            100..=199 => LivingGroup::Homeless,
            200..=299 => LivingGroup::Institutional,
            _ => LivingGroup::TemporaryPermanentOther,
        }
    }
}

hud_list! {
    /// 3.12.A RentalSubsidyType (for living situation / destination 435)
    RentalSubsidyType {
        GpdTip = 428 => "GPD TIP housing subsidy",
        Vash = 419 => "VASH housing subsidy",
        Rrh = 431 => "RRH or equivalent subsidy",
        Hcv = 433 => "HCV voucher (tenant or project based) (not dedicated)",
        PublicHousing = 434 => "Public housing unit",
        OtherSubsidy = 420 => "Rental by client, with other ongoing housing subsidy",
        Hsv = 436 => "Housing Stability Voucher",
        Fup = 437 => "Family Unification Program Voucher (FUP)",
        Fyi = 438 => "Foster Youth to Independence Initiative (FYI)",
        Psh = 439 => "Permanent Supportive Housing",
        OtherDedicated = 440 => "Other permanent housing dedicated for formerly homeless persons",
    }
}

hud_list! {
    /// 3.917.2 LengthOfStay
    LengthOfStay {
        OneNightOrLess = 10 => "One night or less",
        TwoToSixNights = 11 => "Two to six nights",
        OneWeekToMonth = 2 => "One week or more, but less than one month",
        OneMonthTo90Days = 3 => "One month or more, but less than 90 days",
        NinetyDaysToYear = 4 => "90 days or more but less than one year",
        OneYearOrLonger = 5 => "One year or longer",
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// 3.917.4 TimesHomelessPastThreeYears
    TimesHomeless {
        One = 1 => "One time",
        Two = 2 => "Two times",
        Three = 3 => "Three times",
        FourOrMore = 4 => "Four or more times",
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// 3.917.5 MonthsHomelessPastThreeYears (101–112 = 1–12 months)
    MonthsHomeless {
        M1 = 101 => "1 month (this time is the first month)",
        M2 = 102 => "2 months",
        M3 = 103 => "3 months",
        M4 = 104 => "4 months",
        M5 = 105 => "5 months",
        M6 = 106 => "6 months",
        M7 = 107 => "7 months",
        M8 = 108 => "8 months",
        M9 = 109 => "9 months",
        M10 = 110 => "10 months",
        M11 = 111 => "11 months",
        M12 = 112 => "12 months",
        MoreThan12 = 113 => "More than 12 months",
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_list! {
    /// 3.04 Race and Ethnicity categories (Data Dictionary codes 1–7); each is its own 0/1 CSV
    /// column.
    RaceCategory {
        AmIndAkNative = 1 => "American Indian, Alaska Native, or Indigenous",
        Asian = 2 => "Asian or Asian American",
        BlackAfAmerican = 3 => "Black, African American, or African",
        NativeHiPacific = 4 => "Native Hawaiian or Pacific Islander",
        White = 5 => "White",
        HispanicLatinao = 6 => "Hispanic/Latina/o",
        MidEastNAfrican = 7 => "Middle Eastern or North African",
    }
}

hud_list! {
    /// 1.6 RaceNone: only when no race category is selected
    RaceNone {
        ClientDoesNotKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for t in ProjectType::ALL {
            assert_eq!(ProjectType::from_code(t.code()), Some(*t));
        }
        for e in EventType::ALL {
            assert_eq!(EventType::from_code(e.code()), Some(*e));
        }
        assert_eq!(ProjectType::from_code(5), None, "HUD has no ProjectType 5");
        assert_eq!(EventType::ALL.len(), 18);
    }

    #[test]
    fn referral_event_follows_hud_data_lab_mapping() {
        use EventType as E;
        use ProjectType as P;
        assert_eq!(P::EsEntryExit.referral_event(), Some(E::EmergencyShelter));
        assert_eq!(
            P::EsNightByNight.referral_event(),
            Some(E::EmergencyShelter)
        );
        assert_eq!(
            P::TransitionalHousing.referral_event(),
            Some(E::TransitionalHousing)
        );
        assert_eq!(P::RapidReHousing.referral_event(), Some(E::RapidReHousing));
        assert_eq!(
            P::PermanentSupportiveHousing.referral_event(),
            Some(E::PermanentSupportiveHousing)
        );
        assert_eq!(
            P::PhHousingOnly.referral_event(),
            Some(E::OtherPermanentHousing)
        );
        assert_eq!(
            P::PhHousingWithServices.referral_event(),
            Some(E::OtherPermanentHousing)
        );
        assert_eq!(P::CoordinatedEntry.referral_event(), None);
    }

    #[test]
    fn referral_result_applies_to_housing_referrals_only() {
        let takes: Vec<i16> = EventType::ALL
            .iter()
            .filter(|e| e.takes_referral_result())
            .map(|e| e.code())
            .collect();
        assert_eq!(takes, vec![10, 11, 12, 13, 14, 15, 17, 18]);
    }

    #[test]
    fn living_situation_lists_follow_the_csv_validation_sets() {
        let prior: Vec<i16> = LivingSituation::ALL
            .iter()
            .filter(|l| !l.allowed_as_prior())
            .map(|l| l.code())
            .collect();
        assert_eq!(prior, vec![312, 313, 327, 422, 423, 426, 30, 17, 24, 37]);
        let not_destination: Vec<i16> = LivingSituation::ALL
            .iter()
            .filter(|l| !l.allowed_as_destination())
            .map(|l| l.code())
            .collect();
        assert_eq!(not_destination, vec![336, 335, 37]);
        assert_eq!(
            LivingSituation::EmergencyShelter.group(),
            LivingGroup::Homeless
        );
        assert_eq!(LivingSituation::Jail.group(), LivingGroup::Institutional);
        assert_eq!(
            LivingSituation::DataNotCollected.group(),
            LivingGroup::TemporaryPermanentOther
        );
    }

    #[test]
    fn permanent_housing_types() {
        let ph: Vec<i16> = ProjectType::ALL
            .iter()
            .filter(|t| t.is_permanent_housing())
            .map(|t| t.code())
            .collect();
        assert_eq!(ph, vec![3, 9, 10, 13]);
    }
}
