//! The server's integration tests, one binary (one link) with a module per area; they share
//! `common` (the real router on a fresh database, sign-in and call helpers). Tests that own
//! process-wide state (the log subscriber, the password-hash slots) are binaries of their own:
//! `record_history.rs`, `request_spans.rs`, `sign_in_flood.rs`.

mod common;

mod admin;
mod assets;
mod auth_and_scope;
mod ce_events;
mod ce_exit;
mod coc_view;
mod dashboard;
mod hardening;
mod hmis_export;
mod intake;
mod mail;
mod notes;
mod notifications;
mod operations;
mod organizations;
mod reassignments;
mod referrals;
mod returns;
mod scope;
mod transactions;
mod transfers;
