//! Signing in and out (N:3883–3886: personal user ids; the password never stays on the terminal). Offline
//! sign-in and password changes are in `accounts`.

use madoguchi_audit::Operation;
use madoguchi_link::SessionToken;
use madoguchi_protocol::endpoint as ep;
use madoguchi_protocol::v1::{SignInRequest, SignInResponse, StaffInfo};

use crate::accounts::SessionMode;
use crate::context::Counter;
use crate::error::CounterError;

/// 職員サインイン — signing in and out, offline sign-in (`crate::accounts`), the password change, the
/// offline sign-in policy and the cached revocation list.
///
/// Obtained from the shared context with [`Counter::session`]; cheap, borrow it per call.
#[derive(Clone, Copy)]
pub struct Session<'a> {
    pub(crate) ctx: &'a Counter,
}

impl Counter {
    /// The session use cases (サインイン・サインアウト, パスワード変更).
    pub fn session(&self) -> Session<'_> {
        Session { ctx: self }
    }
}

impl Session<'_> {
    /// Signs a staff member in with the union (N:3883–3886: personal user ids; the password never stays
    /// on the terminal, only an Argon2id verifier of it for offline sign-in). When the union cannot be
    /// reached, falls back to offline sign-in (オフライン受付のみ, see `crate::accounts`). After sign-in,
    /// [`Session::session_state`] tells whether the password must be changed first.
    pub async fn sign_in(&self, user_id: &str, password: &str) -> Result<StaffInfo, CounterError> {
        let req = SignInRequest {
            user_id: user_id.to_owned(),
            password: password.to_owned(),
        };
        let result: Result<SignInResponse, CounterError> = self
            .ctx
            .inner
            .client
            .send(&ep::SIGN_IN, &[], None, None, Some(&req))
            .await
            .map_err(CounterError::from);
        // Only a line that is down falls back to offline sign-in; a TLS failure (a revoked or expired
        // certificate, or something that is not the union) never does.
        if let Err(CounterError::Link(e)) = &result
            && e.is_line_failure()
            && !matches!(
                e,
                madoguchi_link::LinkError::Transport(madoguchi_link::TransportFailure::Tls)
            )
        {
            return self.ctx.sign_in_offline(user_id, password).await;
        }
        if let Err(e) = &result {
            self.ctx.after_online_refusal(user_id, e.code());
        }
        let resp = self
            .ctx
            .audited(Some(user_id), Operation::SignIn, None, result)
            .await?;
        let must_change = resp.must_change_password;
        self.ctx.begin_session(
            resp.staff.clone(),
            Some(SessionToken::new(resp.token)),
            SessionMode {
                offline: false,
                must_change,
            },
        );
        // Every contact refreshes the revocation list; a failure leaves the cached one.
        if let Err(e) = self.refresh_revocations().await {
            tracing::info!(error = %e, "revocation list not refreshed at sign-in");
        }
        if must_change.is_none()
            && let Err(e) = self.ctx.remember_offline(&resp.staff, password).await
        {
            tracing::warn!(error = %e, "offline verifier not kept; offline sign-in will not work");
        }
        Ok(resp.staff)
    }

    /// Signs out here and, when the line is up, at the union. Queued work stays queued.
    pub async fn sign_out(&self) {
        if let Err(e) = self
            .ctx
            .audited(None, Operation::SignOut, None, Ok::<(), CounterError>(()))
            .await
        {
            tracing::warn!(error = %e, "sign-out could not be recorded in the audit trail");
        }
        self.ctx.inner.seen.forget();
        let token = self.ctx.inner.token.send_replace(None);
        if let Ok(mut s) = self.ctx.inner.staff.write() {
            *s = None;
        }
        self.ctx.set_session_mode(SessionMode::default());
        if let Some(t) = token {
            let r = self
                .ctx
                .inner
                .client
                .send(&ep::SIGN_OUT, &[], Some(&t), None, None)
                .await;
            if let Err(e) = r {
                tracing::info!(error = %e, "sign-out at the union failed; the session expires by itself");
            }
        }
    }
}
