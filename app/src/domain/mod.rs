//! Plain-Rust domain rules, compiled for both the browser and the server. Forms call these as the
//! user types; server functions call them again before anything is written.

pub mod access;
pub mod ce_event;
pub mod codes;
pub mod contact;
pub mod dates;
pub mod enrollment;
pub mod export;
pub mod holidays;
pub mod intake;
pub mod names;
pub mod need_status;
pub mod notify;
pub mod paging;
pub mod project;
pub mod reassignment;
pub mod referral;
pub mod referral_return;
pub mod text;
pub mod timeliness;
pub mod transfer;
