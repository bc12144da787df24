//! The one error type every server function returns. Its messages are written for the person at
//! the screen; internal details (SQL, stack traces) never leave the server.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Field name → message, shown next to the field and in the form's error summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the first message for a field.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    /// Records `Err(message)` of a rule for a field, and hands back the `Ok` value.
    pub fn check<T>(&mut self, field: &str, result: Result<T, &'static str>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when there is nothing to report, else the `Invalid` error.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    NotSignedIn,
    #[error("The username or password is incorrect.")]
    InvalidCredentials,
    #[error("Too many failed sign-in attempts. Try again in {minutes} minutes.")]
    TooManyAttempts { minutes: i64 },
    #[error("You must change your password before you continue.")]
    PasswordChangeRequired,
    #[error("Choose a Workgroup and Organization in the Settings sidebar, then click Apply.")]
    NoContext,
    #[error("Your Workgroup does not allow this action.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors),
    #[error("This record was changed by someone else since you opened it. Reload to see the latest version, then make your change again.")]
    Conflict,
    #[error("The request could not be read. Reload the page and try again.")]
    BadRequest,
    #[error("Could not reach the server. Check your connection and try again.")]
    Unreachable,
    /// Too many sign-ins are being checked at this moment (password hashing is bounded).
    #[error("The server is busy. Try again in a few seconds.")]
    Busy { seconds: i64 },
    #[error("Something went wrong on our side. Please try again; if it keeps happening, contact your HMIS administrator.")]
    Internal,
}

impl AppError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        AppError::Invalid(errors)
    }

    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Invalid(errors) => Some(errors),
            _ => None,
        }
    }

    /// The HTTP status a server function answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::InvalidCredentials => 401,
            AppError::PasswordChangeRequired | AppError::NoContext | AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict => 409,
            AppError::Invalid(_) => 422,
            AppError::TooManyAttempts { .. } => 429,
            AppError::BadRequest => 400,
            AppError::Unreachable | AppError::Busy { .. } => 503,
            AppError::Internal => 500,
        }
    }

    /// The `Retry-After` seconds of an error that asks the caller to wait.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            AppError::TooManyAttempts { minutes } => Some(minutes * 60),
            AppError::Busy { seconds } => Some(*seconds),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Errors of the transport, not of a server function's body. On the server these are
    /// arguments that could not be read (missing, mistyped, a body cut short): a 400, which the
    /// server function's `respond` never got to set (server_fn answers them with 500).
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Request(_) => AppError::Unreachable,
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::BadRequest,
            _ => AppError::Internal,
        };
        #[cfg(feature = "ssr")]
        crate::ssr::set_error_status(&error);
        error
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// Database failures are logged in full on the server and masked for the user. Constraint
    /// violations that the forms should have prevented surface as a field error where we know
    /// the field, so even a race with another user ends in a message, not a 500.
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::RowNotFound = error {
            return AppError::NotFound;
        }
        if let sqlx::Error::PoolTimedOut = error {
            tracing::warn!("no database connection free in time");
            return AppError::Busy { seconds: 2 };
        }
        if let Some(db) = error.as_database_error() {
            // Text PostgreSQL cannot store (a NUL byte) is the caller's input, not our failure;
            // the input checks refuse it first, this is the last line.
            if db.code().as_deref() == Some("55P03") {
                // lock_timeout: too many requests queue on one lock (a burst of sign-ins).
                return AppError::Busy { seconds: 2 };
            }
            if matches!(db.code().as_deref(), Some("22021" | "22P05" | "54000")) {
                tracing::info!(code = ?db.code(), "database refused the input");
                return AppError::BadRequest;
            }
            if let Some(constraint) = db.constraint() {
                if let Some((field, message)) = crate::ssr::constraints::describe(constraint) {
                    tracing::info!(constraint, "constraint refused a write");
                    return AppError::field(field, message);
                }
            }
        }
        tracing::error!(error = %error, "database error");
        AppError::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_the_first_message() {
        let mut errors = FieldErrors::new();
        errors.add("phone", "first");
        errors.add("phone", "second");
        assert_eq!(errors.get("phone"), Some("first"));
        assert!(matches!(errors.into_result(), Err(AppError::Invalid(_))));
        assert_eq!(FieldErrors::new().into_result(), Ok(()));
    }

    #[test]
    fn errors_round_trip_through_the_wire_encoding() {
        let error = AppError::field("email", "Enter a valid email address.");
        let decoded = AppError::de(error.ser());
        assert_eq!(decoded, error);
        assert_eq!(decoded.status(), 422);
    }

    #[test]
    fn transport_failures_are_not_internal_details() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
            "missing field `secret_sql`".into(),
        ));
        assert_eq!(error, AppError::BadRequest);
        assert!(!error.to_string().contains("secret_sql"));
    }
}
