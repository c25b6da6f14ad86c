//! Roles and what each may do (SPEC §13).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    AccountManager,
    ServiceAgent,
    CreditOfficer,
    ReadOnly,
    PortalUser,
}

/// How much of the customer archive a user sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// Customers owned by users in the user's organisation unit and below, and the pool.
    Unit,
    /// The user's own customers and the pool.
    Own,
    /// No access to the archive.
    None,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Admin,
        Role::Manager,
        Role::AccountManager,
        Role::ServiceAgent,
        Role::CreditOfficer,
        Role::ReadOnly,
        Role::PortalUser,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::AccountManager => "account_manager",
            Role::ServiceAgent => "service_agent",
            Role::CreditOfficer => "credit_officer",
            Role::ReadOnly => "read_only",
            Role::PortalUser => "portal_user",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role.admin",
            Role::Manager => "role.manager",
            Role::AccountManager => "role.account_manager",
            Role::ServiceAgent => "role.service_agent",
            Role::CreditOfficer => "role.credit_officer",
            Role::ReadOnly => "role.read_only",
            Role::PortalUser => "role.portal_user",
        }
    }

    pub fn customer_scope(self) -> Scope {
        match self {
            Role::Admin => Scope::All,
            Role::Manager | Role::ServiceAgent | Role::CreditOfficer | Role::ReadOnly => {
                Scope::Unit
            }
            Role::AccountManager => Scope::Own,
            Role::PortalUser => Scope::None,
        }
    }

    /// May create customers and edit those in scope.
    pub fn can_edit_customers(self) -> bool {
        matches!(self, Role::Admin | Role::Manager | Role::AccountManager)
    }

    /// May edit contacts of customers in scope (agents keep contact details current).
    pub fn can_edit_contacts(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Manager | Role::AccountManager | Role::ServiceAgent
        )
    }

    /// May reveal masked personal data (each reveal is audited).
    pub fn can_unmask(self) -> bool {
        matches!(
            self,
            Role::Admin
                | Role::Manager
                | Role::AccountManager
                | Role::ServiceAgent
                | Role::CreditOfficer
        )
    }

    /// Works for the company (every role but the customers' own portal users): may read
    /// the company's policies and structure.
    pub fn is_staff(self) -> bool {
        self != Role::PortalUser
    }

    /// May register and work tickets (of customers in scope), and be given one.
    pub fn handles_tickets(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Manager | Role::AccountManager | Role::ServiceAgent
        )
    }

    /// May set credit terms (limit, period, rating, hold policy), assess credit, enter
    /// financial statements, decide requested changes and release held shipments.
    pub fn can_set_credit(self) -> bool {
        matches!(self, Role::Admin | Role::Manager | Role::CreditOfficer)
    }

    /// Sees the credit of the customers in scope (account managers: their own).
    pub fn can_see_credit(self) -> bool {
        matches!(
            self,
            Role::Admin
                | Role::Manager
                | Role::CreditOfficer
                | Role::AccountManager
                | Role::ReadOnly
        )
    }

    /// May merge customers and reassign owners.
    pub fn can_merge(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }

    /// May assign any owner in scope; an account manager may only take or release.
    pub fn can_assign_owner(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }

    /// May write operations data (shipments, tracking, invoices, payments) by API or
    /// import: what a TMS/WMS integration or the operations office does.
    pub fn can_write_operations(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }

    /// May recompute classifications and see the manager's dashboard.
    pub fn can_analyse(self) -> bool {
        matches!(self, Role::Admin | Role::Manager | Role::ReadOnly)
    }

    /// May trigger a recompute of the classifications.
    pub fn can_classify(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }

    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }

    /// May read the audit log (admins everything; managers their unit's customers).
    pub fn can_read_audit(self) -> bool {
        matches!(self, Role::Admin)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
