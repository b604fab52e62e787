//! The request extractors of the API (a child of [`crate::api`]): the terminal of the connection, the
//! signed-in staff member bound to it, and JSON bodies parsed with stable error codes that never echo a value.

use std::str::FromStr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use madoguchi_domain::StaffMessage;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_domain::kana::{PERSON_NAME_MAX, PersonNameError};
use madoguchi_protocol::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;

use super::{ApiError, ApiResult, AuditNote, Shared};
use crate::auth::{Session, SessionRefusal};
use crate::tls::TerminalIdentity;

/// The terminal at the other end of the connection.
pub(crate) struct Terminal(pub(crate) Arc<TerminalIdentity>);

impl<S: Send + Sync> FromRequestParts<S> for Terminal {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Arc<TerminalIdentity>>()
            .cloned()
            .map(Terminal)
            .ok_or_else(|| ErrorCode::Unauthenticated.into())
    }
}

impl Terminal {
    pub(crate) fn municipality(&self) -> ApiResult<MunicipalityCode> {
        MunicipalityCode::from_str(&self.0.municipality)
            .map_err(|_| ErrorCode::Unauthenticated.into())
    }
}

/// A signed-in staff member whose session belongs to this connection's terminal certificate.
pub(crate) struct Staff {
    pub(crate) session: Session,
    pub(crate) token: String,
    pub(crate) note: AuditNote,
}

impl FromRequestParts<Shared> for Staff {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let terminal = Terminal::from_request_parts(parts, state).await?;
        let note = parts
            .extensions
            .get::<AuditNote>()
            .cloned()
            .unwrap_or_default();
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::from(ErrorCode::Unauthenticated))?;
        let session = state
            .sessions
            .check(token, &terminal.0.fingerprint)
            .map_err(|r| match r {
                SessionRefusal::Unknown => ApiError::from(ErrorCode::Unauthenticated),
                SessionRefusal::OtherTerminal => ApiError::from(ErrorCode::SessionTerminalMismatch),
                SessionRefusal::Closed(why) => ApiError::from(crate::accounts::closed_code(why)),
            })?;
        note.user(&session.user_id);
        // The account is read again on every request: revocation, ended grants and a pending password
        // change take effect on the next request, not at the next sign-in.
        let session = crate::accounts::recheck(state, session, &parts.method, parts.uri.path())
            .map_err(ApiError::from)?;
        Ok(Staff {
            session,
            token: token.to_string(),
            note,
        })
    }
}

impl Staff {
    pub(crate) fn require_counter(&self) -> ApiResult<()> {
        if self.session.can_do_counter_work() {
            Ok(())
        } else {
            Err(ErrorCode::Forbidden.into())
        }
    }
}

/// A JSON body parsed into `T` with stable error codes.
pub struct ApiJson<T>(pub T);

/// Classifies a serde_json error without echoing any value from the input.
fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let name_too_long = PersonNameError::TooLong {
        max: PERSON_NAME_MAX,
    };
    let path = err.path().to_string();
    let inner = err.into_inner();
    match inner.classify() {
        serde_json::error::Category::Data => {
            let text = inner.to_string();
            if text.starts_with("unknown field") {
                // The path already ends with the unknown key.
                let field: String = path.chars().take(128).collect();
                ApiError::field(ErrorCode::UnknownField, field)
            } else if text.starts_with("missing field") {
                let name: String = text
                    .split('`')
                    .nth(1)
                    .unwrap_or("")
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .take(64)
                    .collect();
                let field = if path == "." {
                    name
                } else {
                    format!("{path}.{name}")
                };
                ApiError::field(ErrorCode::MissingField, field)
            } else if text.starts_with(&name_too_long.to_string()) {
                // A 氏名 over the limit: say the limit and why (the document's print box), as the
                // counter's form does — a name from a 住基 file reaches the union this way too.
                let mut e = ApiError::field(ErrorCode::InvalidField, path);
                e.0.message_ja = format!(
                    "{}（資格確認書の氏名欄に印字できる文字数です）",
                    name_too_long.message_ja()
                );
                e
            } else {
                ApiError::field(ErrorCode::InvalidField, path)
            }
        }
        _ => ErrorCode::MalformedJson.into(),
    }
}

/// Parses a JSON body (used by the server and by the request-parsing tests).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ErrorBody> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(e).0)?;
    de.end()
        .map_err(|_| ErrorBody::new(ErrorCode::MalformedJson))?;
    Ok(value)
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ErrorCode::UnsupportedMediaType.into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::from(ErrorCode::PayloadTooLarge)
            } else {
                ApiError::from(ErrorCode::MalformedJson)
            }
        })?;
        parse_json(&bytes).map(ApiJson).map_err(ApiError)
    }
}
