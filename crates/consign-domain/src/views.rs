//! Saved views and column choices of the lists (issue 18; SPEC §9's segments later): the
//! lists that have them, each list's columns and the ones a role needs first, and what
//! makes a view's name, filters and columns valid.

use crate::customer::vocabulary;
use crate::role::Role;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// A list page with saved views and a column chooser.
    ListKind, "list", {
        Customers => "customers",
        Tickets => "tickets",
        Audit => "audit",
        Tasks => "tasks",
        Shipments => "shipments",
        Imports => "imports",
        Users => "users",
    }
);

/// A column of a list: its key (in URLs, forms and the database) and its header's
/// message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
}

const fn col(key: &'static str, label: &'static str) -> Column {
    Column { key, label }
}

const CUSTOMER_COLUMNS: &[Column] = &[
    col("code", "customer.code"),
    col("name", "customer.name"),
    col("kind", "customer.kind"),
    col("region", "customer.region"),
    col("industry", "customer.industry"),
    col("contact", "customer.contacts"),
    col("owner", "customer.owner"),
    col("status", "customer.status"),
    col("value_class", "classify.value_class"),
    col("grade", "classify.grade"),
    col("lifecycle", "classify.lifecycle"),
    col("rfm", "classify.rfm"),
    col("updated", "common.updated_at"),
];

const TICKET_COLUMNS: &[Column] = &[
    col("number", "ticket.number"),
    col("subject", "ticket.subject"),
    col("customer", "ticket.customer"),
    col("kind", "ticket.kind"),
    col("severity", "ticket.severity"),
    col("status", "ticket.status"),
    col("assignee", "ticket.assignee"),
    col("due", "ticket.resolution_due"),
    col("created", "common.created_at"),
];

const SHIPMENT_COLUMNS: &[Column] = &[
    col("waybill", "shipment.waybill_no"),
    col("customer", "shipment.customer"),
    col("ordered", "shipment.ordered_at"),
    col("route", "shipment.route"),
    col("mode", "shipment.service_mode"),
    col("product", "shipment.product"),
    col("pieces", "shipment.pieces"),
    col("weight", "shipment.weight"),
    col("revenue", "shipment.revenue"),
    col("delivered", "shipment.delivered_at"),
    col("status", "shipment.status"),
    col("exceptions", "shipment.exceptions"),
];

const TASK_COLUMNS: &[Column] = &[
    col("due", "followup.due_on"),
    col("kind", "followup.kind_col"),
    col("customer", "followup.customer"),
    col("title", "followup.task_title"),
    col("complete", "followup.complete"),
];

const AUDIT_COLUMNS: &[Column] = &[
    col("at", "audit.at"),
    col("actor", "audit.actor"),
    col("action", "audit.action"),
    col("entity", "audit.entity"),
    col("changes", "audit.changes"),
    col("ip", "audit.ip"),
];

const IMPORT_COLUMNS: &[Column] = &[
    col("started", "import.started"),
    col("kind", "import.kind"),
    col("file", "import.file"),
    col("by", "import.by"),
    col("status", "import.state"),
    col("read", "import.rows"),
    col("new", "import.new"),
    col("updated", "import.updated"),
    col("unchanged", "import.unchanged"),
    col("bad", "import.bad_rows"),
    col("finished", "import.finished_at"),
];

const USER_COLUMNS: &[Column] = &[
    col("username", "user.username"),
    col("name", "user.display_name"),
    col("email", "user.email"),
    col("role", "user.role"),
    col("unit", "user.unit"),
    col("last_login", "user.last_login"),
    col("status", "customer.status"),
    col("created", "common.created_at"),
    col("actions", "common.actions"),
];

/// The filters a view of each list keeps (with its sort), as the list's URL names them.
const CUSTOMER_FILTERS: &[&str] = &[
    "q",
    "kind",
    "status",
    "owner",
    "province",
    "city",
    "industry",
    "service_mode",
    "tag",
    "data_source",
    "archived",
    "grade",
    "value_class",
    "lifecycle",
    "at_risk",
    "rfm_segment",
    "r",
    "f",
    "m",
    "sort",
];
const TICKET_FILTERS: &[&str] = &[
    "q",
    "status",
    "open",
    "kind",
    "severity",
    "channel",
    "root_cause",
    "assignee",
    "breached",
    "customer_id",
    "from",
    "to",
    "sort",
];

const IMPORT_FILTERS: &[&str] = &["kind", "status", "user_id"];
const USER_FILTERS: &[&str] = &["q", "role", "unit", "state"];
const AUDIT_FILTERS: &[&str] = &["action", "actor_id", "entity_type", "customer_id"];
const TASK_FILTERS: &[&str] = &["group", "days"];
const SHIPMENT_FILTERS: &[&str] = &[
    "q",
    "status",
    "service_mode",
    "exception",
    "from",
    "to",
    "customer_id",
    "origin_city",
    "destination_city",
];

/// Longest filter value a view keeps.
const MAX_VALUE: usize = 200;

impl ListKind {
    /// Every column the list can show, in its natural order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            ListKind::Customers => CUSTOMER_COLUMNS,
            ListKind::Tickets => TICKET_COLUMNS,
            ListKind::Audit => AUDIT_COLUMNS,
            ListKind::Tasks => TASK_COLUMNS,
            ListKind::Shipments => SHIPMENT_COLUMNS,
            ListKind::Imports => IMPORT_COLUMNS,
            ListKind::Users => USER_COLUMNS,
        }
    }

    /// The column that names the row: always shown.
    pub fn anchor(self) -> &'static str {
        match self {
            ListKind::Customers => "name",
            ListKind::Tickets => "subject",
            ListKind::Audit => "action",
            ListKind::Tasks => "title",
            ListKind::Shipments => "waybill",
            ListKind::Imports => "file",
            ListKind::Users => "username",
        }
    }

    /// The columns a person in this role needs first: an account manager sees its own
    /// customers (no owner column) and their value; a service agent their contacts and
    /// owners; managers everything that fits an office laptop.
    pub fn default_columns(self, role: Role) -> Vec<&'static str> {
        match (self, role) {
            (ListKind::Customers, Role::AccountManager) => vec![
                "code",
                "name",
                "region",
                "industry",
                "contact",
                "status",
                "value_class",
                "grade",
                "lifecycle",
                "updated",
            ],
            (ListKind::Customers, Role::ServiceAgent) => vec![
                "code",
                "name",
                "region",
                "contact",
                "owner",
                "status",
                "value_class",
                "grade",
                "updated",
            ],
            (ListKind::Customers, _) => vec![
                "code",
                "name",
                "region",
                "industry",
                "contact",
                "owner",
                "status",
                "value_class",
                "grade",
                "lifecycle",
                "updated",
            ],
            (ListKind::Tickets, Role::ServiceAgent) => vec![
                "number", "subject", "customer", "kind", "severity", "status", "due", "created",
            ],
            (ListKind::Audit, _) => vec!["at", "actor", "action", "entity", "changes", "ip"],
            (ListKind::Tasks, _) => vec!["due", "kind", "customer", "title", "complete"],
            (ListKind::Shipments, _) => vec![
                "waybill",
                "customer",
                "ordered",
                "route",
                "mode",
                "revenue",
                "status",
                "exceptions",
            ],
            (ListKind::Imports, _) => vec![
                "started", "kind", "file", "by", "status", "read", "new", "updated", "bad",
            ],
            (ListKind::Users, _) => vec![
                "username",
                "name",
                "role",
                "unit",
                "last_login",
                "status",
                "actions",
            ],
            (ListKind::Tickets, _) => vec![
                "number", "subject", "customer", "kind", "severity", "status", "assignee", "due",
                "created",
            ],
        }
    }

    /// A chosen set of columns: known keys only, each once, in the order given; the
    /// anchor column is added first when left out. Nothing known chosen is an error.
    pub fn parse_columns<S: AsRef<str>>(
        self,
        keys: &[S],
    ) -> Result<Vec<&'static str>, &'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for k in keys {
            let k = k.as_ref().trim();
            if let Some(c) = self.columns().iter().find(|c| c.key == k) {
                if !out.contains(&c.key) {
                    out.push(c.key);
                }
            }
        }
        if out.is_empty() {
            return Err("err.columns_none");
        }
        if !out.contains(&self.anchor()) {
            out.insert(0, self.anchor());
        }
        Ok(out)
    }

    /// Columns as stored (`code,name,…`), read leniently: a key a later version dropped is
    /// left out; None when nothing known is left.
    pub fn stored_columns(self, s: &str) -> Option<Vec<&'static str>> {
        let keys: Vec<&str> = s.split(',').collect();
        self.parse_columns(&keys).ok()
    }

    /// The filters of `pairs` a view of this list keeps: its own keys, set, not too long.
    pub fn view_filters(self, pairs: &[(String, String)]) -> Vec<(String, String)> {
        let keys = match self {
            ListKind::Customers => CUSTOMER_FILTERS,
            ListKind::Tickets => TICKET_FILTERS,
            ListKind::Audit => AUDIT_FILTERS,
            ListKind::Tasks => TASK_FILTERS,
            ListKind::Shipments => SHIPMENT_FILTERS,
            ListKind::Imports => IMPORT_FILTERS,
            ListKind::Users => USER_FILTERS,
        };
        pairs
            .iter()
            .filter(|(k, v)| {
                keys.contains(&k.as_str()) && !v.trim().is_empty() && v.len() <= MAX_VALUE
            })
            .cloned()
            .collect()
    }
}

/// A view's name: 1–40 characters, trimmed.
pub fn view_name(s: &str) -> Result<String, &'static str> {
    let t = crate::validate::clean_text(s);
    if t.is_empty() {
        Err("err.required")
    } else if t.chars().count() > 40 {
        Err("err.too_long")
    } else {
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_known_keys_once_with_the_anchor() {
        let l = ListKind::Customers;
        assert_eq!(
            l.parse_columns(&["grade", "code", "grade", "nonsense"]),
            Ok(vec!["name", "grade", "code"])
        );
        assert_eq!(
            l.parse_columns(&["name", "owner"]),
            Ok(vec!["name", "owner"])
        );
        assert_eq!(l.parse_columns::<&str>(&[]), Err("err.columns_none"));
        assert_eq!(l.parse_columns(&["zzz"]), Err("err.columns_none"));
        assert_eq!(
            l.stored_columns("owner,gone,code"),
            Some(vec!["name", "owner", "code"])
        );
        assert_eq!(ListKind::Tickets.stored_columns(""), None);
    }

    #[test]
    fn every_default_is_a_column_of_its_list() {
        for l in ListKind::ALL {
            for r in Role::ALL {
                let d = l.default_columns(*r);
                assert_eq!(l.parse_columns(&d), Ok(d.clone()), "{l:?} {r:?}");
            }
        }
        assert!(!ListKind::Customers
            .default_columns(Role::AccountManager)
            .contains(&"owner"));
    }

    #[test]
    fn views_keep_the_lists_own_filters() {
        let pairs = vec![
            ("q".to_string(), "顺丰".to_string()),
            ("page".to_string(), "3".to_string()),
            ("province".to_string(), "广东".to_string()),
            ("city".to_string(), String::new()),
            ("tag".to_string(), "x".repeat(201)),
        ];
        assert_eq!(
            ListKind::Customers.view_filters(&pairs),
            vec![
                ("q".into(), "顺丰".into()),
                ("province".into(), "广东".into())
            ]
        );
        assert_eq!(
            view_name("  我的广东A类客户 "),
            Ok("我的广东A类客户".into())
        );
        assert_eq!(view_name(" "), Err("err.required"));
        assert_eq!(view_name(&"长".repeat(41)), Err("err.too_long"));
    }
}
