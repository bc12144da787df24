//! One folder per feature a user sees: components in `mod.rs`, server functions in `api.rs`.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod ce_events;
pub mod clients;
pub mod coc_view;
pub mod dashboard;
pub mod enrollments;
pub mod hmis_export;
pub mod home;
pub mod intake;
pub mod notes;
pub mod notifications;
pub mod organizations;
pub mod reassignments;
pub mod referrals;
pub mod returns;
pub mod settings;
pub mod transfers;
