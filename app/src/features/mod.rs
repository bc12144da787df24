//! One folder per feature a user sees: components in `mod.rs`, server functions in `api.rs`.

pub mod admin;
pub mod auth;
pub mod ce_events;
pub mod clients;
pub mod dashboard;
pub mod enrollments;
pub mod home;
pub mod intake;
pub mod referrals;
pub mod settings;
