//! 職員管理 for the 情報システム管理者: the municipality's staff accounts (create, grants with validity
//! periods, revoke, unlock, password reset). The union checks the role and scopes every call to the
//! municipality; each call is recorded in the terminal's audit chain.

use madoguchi_audit::Operation;
use madoguchi_domain::StaffUserId;
use madoguchi_protocol::endpoint::{self as ep, Endpoint};
use madoguchi_protocol::v1::{
    NewStaffRequest, PasswordResetRequest, SetGrantsRequest, StaffAccount, StaffList,
};
use serde::Serialize;

use crate::context::Counter;
use crate::error::CounterError;

impl Counter {
    async fn admin_call<Req: Serialize, Resp: serde::de::DeserializeOwned>(
        &self,
        endpoint: &Endpoint<Req, Resp>,
        params: &[&str],
        target: String,
        body: Option<&Req>,
    ) -> Result<Resp, CounterError> {
        let token = self.token()?;
        let result = self
            .client()
            .send(endpoint, params, Some(&token), None, body)
            .await
            .map_err(CounterError::from);
        self.audited(None, Operation::Configure, Some(target), result)
            .await
    }
}

/// 職員管理 — an administrator's staff accounts at the union: list, create, grants, revoke, unlock,
/// password reset.
///
/// Obtained from the shared context with [`Counter::staff_admin`]; cheap, borrow it per call.
#[derive(Clone, Copy)]
pub struct StaffAdmin<'a> {
    pub(crate) ctx: &'a Counter,
}

impl Counter {
    /// The staff administration use cases (職員管理).
    pub fn staff_admin(&self) -> StaffAdmin<'_> {
        StaffAdmin { ctx: self }
    }
}

impl StaffAdmin<'_> {
    /// The staff accounts of the municipality.
    pub async fn staff_accounts(&self) -> Result<StaffList, CounterError> {
        self.ctx
            .admin_call(&ep::STAFF_LIST, &[], "staff-list".into(), None)
            .await
    }

    /// Creates an account; the initial password must be changed at its first sign-in.
    pub async fn create_staff(&self, req: &NewStaffRequest) -> Result<StaffAccount, CounterError> {
        self.ctx
            .admin_call(
                &ep::CREATE_STAFF,
                &[],
                format!("staff:{}", req.user_id),
                Some(req),
            )
            .await
    }

    /// Replaces an account's grants.
    pub async fn set_staff_grants(
        &self,
        user_id: &str,
        req: &SetGrantsRequest,
    ) -> Result<StaffAccount, CounterError> {
        self.ctx
            .admin_call(
                &ep::SET_GRANTS,
                &[path_segment(user_id)?.as_str()],
                format!("staff:{user_id}"),
                Some(req),
            )
            .await
    }

    /// Revokes an account at once.
    pub async fn revoke_staff(&self, user_id: &str) -> Result<StaffAccount, CounterError> {
        self.ctx
            .admin_call(
                &ep::REVOKE_STAFF,
                &[path_segment(user_id)?.as_str()],
                format!("staff:{user_id}"),
                None,
            )
            .await
    }

    /// Clears a lockout.
    pub async fn unlock_staff(&self, user_id: &str) -> Result<StaffAccount, CounterError> {
        self.ctx
            .admin_call(
                &ep::UNLOCK_STAFF,
                &[path_segment(user_id)?.as_str()],
                format!("staff:{user_id}"),
                None,
            )
            .await
    }

    /// Sets a temporary password that must be changed at the next sign-in.
    pub async fn reset_staff_password(
        &self,
        user_id: &str,
        new_password: &str,
    ) -> Result<StaffAccount, CounterError> {
        self.ctx
            .admin_call(
                &ep::RESET_PASSWORD,
                &[path_segment(user_id)?.as_str()],
                format!("staff:{user_id}"),
                Some(&PasswordResetRequest {
                    new_password: new_password.to_owned(),
                }),
            )
            .await
    }
}

/// A user id as a path segment: a [`StaffUserId`] has only characters that need no escaping.
fn path_segment(user_id: &str) -> Result<StaffUserId, CounterError> {
    StaffUserId::parse(user_id).map_err(|_| CounterError::InvalidUserId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_in_paths_are_checked() {
        assert!(path_segment("m.hanako@city").is_ok());
        assert!(path_segment("../x").is_err());
        assert!(path_segment("a/b").is_err());
        assert!(path_segment("").is_err());
        assert!(path_segment("..").is_err());
    }
}
