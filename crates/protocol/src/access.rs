//! What each role may do: one table, read by the union server, the counter, the app shell and the screens
//! (which show only what the signed-in staff member can use).
//!
//! The seeds make rights out of the user, the password and the functions allowed (N:3959–3960), keep the
//! 個人番号 behind a separate right (N:3886–3888) and give distributions a second person (N:4425–4426). The
//! union server is the authority — it checks every request — and the terminal mirrors the same table so a
//! clerk never meets a button that can only fail.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::v1::{Role, StaffInfo};

/// A function of the system that a role may be granted.
#[derive(
    ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// 窓口業務: search, view a resident, register notifications, print and hand over documents.
    CounterWork,
    /// 個人番号の表示・入力 (the separate permission, on top of counter work).
    MyNumber,
    /// 配信の承認・差戻し, batch printing and the mailing list of approved distributions (監督者).
    ApproveDistribution,
    /// 配信データの媒体出力 (監督者).
    ExportDistribution,
    /// 再交付・訂正の承認, where the union's policy asks for it (監督者).
    ApproveReprint,
    /// 職員アカウントと権限の管理 (情報システム管理者).
    ManageStaff,
    /// 監査ログの検索・出力 (情報システム管理者).
    ReviewAudit,
    /// 配信の作成・広域連合承認 (広域連合職員).
    ManageDistributions,
}

impl Capability {
    /// Every capability.
    pub const ALL: [Capability; 8] = [
        Capability::CounterWork,
        Capability::MyNumber,
        Capability::ApproveDistribution,
        Capability::ExportDistribution,
        Capability::ApproveReprint,
        Capability::ManageStaff,
        Capability::ReviewAudit,
        Capability::ManageDistributions,
    ];

    /// The roles that grant it (any one suffices). [`Capability::MyNumber`] also needs the permission.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Capability::CounterWork | Capability::MyNumber => &[Role::Clerk, Role::Supervisor],
            Capability::ApproveDistribution
            | Capability::ExportDistribution
            | Capability::ApproveReprint => &[Role::Supervisor],
            Capability::ManageStaff | Capability::ReviewAudit => &[Role::Admin],
            Capability::ManageDistributions => &[Role::UnionStaff],
        }
    }

    /// What the staff member reads when it is missing.
    pub fn refusal_ja(self) -> &'static str {
        match self {
            Capability::CounterWork => "窓口業務の権限がありません。",
            Capability::MyNumber => "個人番号を扱う権限がありません。",
            Capability::ApproveDistribution | Capability::ExportDistribution => {
                "配信の承認・印刷・出力は監督者のみが行えます。"
            }
            Capability::ApproveReprint => "再交付・訂正の承認は監督者のみが行えます。",
            Capability::ManageStaff => "職員アカウントの管理は情報システム管理者のみが行えます。",
            Capability::ReviewAudit => "監査ログは情報システム管理者のみが参照できます。",
            Capability::ManageDistributions => "配信の作成・承認は広域連合職員のみが行えます。",
        }
    }
}

/// Whether roles (and the 個人番号 permission) grant a capability.
pub fn granted(roles: &[Role], my_number_permission: bool, capability: Capability) -> bool {
    let by_role = capability.roles().iter().any(|r| roles.contains(r));
    match capability {
        Capability::MyNumber => by_role && my_number_permission,
        _ => by_role,
    }
}

/// Every capability of a signed-in staff member, in [`Capability::ALL`] order.
pub fn capabilities(staff: &StaffInfo) -> Vec<Capability> {
    Capability::ALL
        .into_iter()
        .filter(|c| granted(&staff.roles, staff.my_number_permission, *c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Capability as C;

    /// The whole table, written out: role → capabilities (without and with the 個人番号 permission).
    #[test]
    fn every_role_against_every_capability() {
        let expected: [(Role, &[C], &[C]); 4] = [
            (
                Role::Clerk,
                &[C::CounterWork],
                &[C::CounterWork, C::MyNumber],
            ),
            (
                Role::Supervisor,
                &[
                    C::CounterWork,
                    C::ApproveDistribution,
                    C::ExportDistribution,
                    C::ApproveReprint,
                ],
                &[
                    C::CounterWork,
                    C::MyNumber,
                    C::ApproveDistribution,
                    C::ExportDistribution,
                    C::ApproveReprint,
                ],
            ),
            (
                Role::Admin,
                &[C::ManageStaff, C::ReviewAudit],
                &[C::ManageStaff, C::ReviewAudit],
            ),
            (
                Role::UnionStaff,
                &[C::ManageDistributions],
                &[C::ManageDistributions],
            ),
        ];
        for (role, without, with) in expected {
            for (permission, want) in [(false, without), (true, with)] {
                let got: Vec<C> = C::ALL
                    .into_iter()
                    .filter(|c| granted(&[role], permission, *c))
                    .collect();
                assert_eq!(got, want, "{role:?} with my_number_permission={permission}");
            }
        }
    }

    #[test]
    fn nobody_without_a_role_can_do_anything() {
        for c in C::ALL {
            assert!(!granted(&[], true, c), "{c:?}");
        }
    }
}
