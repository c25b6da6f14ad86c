//! The OpenAPI document's request bodies name exactly the fields the handlers read:
//! each request schema's properties are compared with the fields serde reads into the
//! type its handler takes, so a field added to (or renamed in) a request type without
//! the document, or the other way round, fails here.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::collections::BTreeSet;

/// Why the probe stopped: the struct's field names, when it was a struct.
#[derive(Debug)]
struct Stop(Vec<&'static str>);

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}
impl std::error::Error for Stop {}
impl de::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop(Vec::new())
    }
}

/// A deserializer that answers nothing: serde asks it for a struct, naming every field.
struct Probe;

impl<'de> Deserializer<'de> for Probe {
    type Error = Stop;
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        Err(Stop(fields.to_vec()))
    }
    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(Stop(Vec::new()))
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The names serde reads for `T` (a struct).
fn fields<T: for<'de> Deserialize<'de>>() -> BTreeSet<&'static str> {
    match T::deserialize(Probe) {
        Err(Stop(f)) => f.into_iter().collect(),
        Ok(_) => BTreeSet::new(),
    }
}

#[test]
fn request_schemas_name_the_fields_the_server_reads() {
    use consign_app::{billing, customers, followups, service, shipments};
    let mut new_customer = fields::<customers::CustomerInput>();
    new_customer.insert("contacts");
    let table: Vec<(&str, BTreeSet<&str>)> = vec![
        ("CustomerInput", fields::<customers::CustomerInput>()),
        // POST /customers reads the customer's fields and its `contacts`.
        ("NewCustomer", new_customer),
        ("ContactInput", fields::<customers::ContactInput>()),
        (
            "DuplicateCheck",
            fields::<crate::api::customers::DuplicateCheck>(),
        ),
        ("Merge", fields::<crate::api::customers::MergeBody>()),
        ("PoolPolicy", fields::<crate::api::customers::PoolPolicy>()),
        ("NewUser", fields::<crate::api::users::NewUserBody>()),
        ("UserPatch", fields::<crate::api::users::UserPatch>()),
        ("NewUnit", fields::<crate::api::users::NewUnit>()),
        ("NewToken", fields::<crate::api::users::NewToken>()),
        ("NewView", fields::<crate::api::views::NewView>()),
        ("Columns", fields::<crate::api::views::Columns>()),
        ("ClassPolicy", fields::<consign_domain::classify::Policy>()),
        (
            "ClassPolicyChange",
            fields::<crate::api::classification::PolicyChange>(),
        ),
        (
            "ClassRecompute",
            fields::<crate::api::classification::Recompute>(),
        ),
        ("TicketInput", fields::<service::TicketInput>()),
        ("TicketStep", fields::<service::StepInput>()),
        ("TicketAssign", fields::<service::AssignInput>()),
        ("TicketComment", fields::<crate::api::service::CommentIn>()),
        ("SlaPolicy", fields::<consign_domain::service::SlaPolicy>()),
        ("InteractionInput", fields::<followups::InteractionInput>()),
        ("TaskInput", fields::<followups::TaskInput>()),
        (
            "FollowUpPolicy",
            fields::<consign_domain::followup::FollowUpPolicy>(),
        ),
        ("ShipmentInput", fields::<shipments::ShipmentInput>()),
        ("SurveyInput", fields::<consign_app::surveys::SurveyInput>()),
        (
            "SurveyPolicy",
            fields::<consign_domain::surveys::SurveyPolicy>(),
        ),
        (
            "ImprovementNew",
            fields::<consign_app::improvements::ImprovementInput>(),
        ),
        (
            "ImprovementStep",
            fields::<consign_app::improvements::StageInput>(),
        ),
        ("CreditTerms", fields::<consign_app::credit::TermsInput>()),
        ("Decision", fields::<crate::api::credit::Decision>()),
        (
            "PromiseInput",
            fields::<consign_app::credit::PromiseInput>(),
        ),
        (
            "AssessmentInput",
            fields::<consign_app::credit::AssessmentInput>(),
        ),
        (
            "StatementInput",
            fields::<consign_app::credit::StatementInput>(),
        ),
        (
            "Statement",
            fields::<consign_domain::credit::ratios::Statement>(),
        ),
        (
            "AssessmentPolicy",
            fields::<consign_domain::credit::assessment::AssessmentPolicy>(),
        ),
        ("ReleaseInput", fields::<crate::api::credit::ReleaseInput>()),
        (
            "CreditPolicy",
            fields::<consign_domain::credit::CreditPolicy>(),
        ),
        ("InvoiceInput", fields::<billing::InvoiceInput>()),
        ("PaymentInput", fields::<billing::PaymentInput>()),
        (
            "WebhookInput",
            fields::<consign_app::webhooks::WebhookInput>(),
        ),
        (
            "TrackingEventsInput",
            fields::<crate::api::shipments::Events>(),
        ),
    ];
    let doc = super::spec();
    let schemas = &doc["components"]["schemas"];
    for (name, read) in &table {
        assert!(!read.is_empty(), "{name}: the probe found no fields");
        let documented: BTreeSet<&str> = schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} is not in the document"))
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            &documented, read,
            "{name}: the document's fields (left) are not the ones the server reads (right)"
        );
    }
    // Every request body the document describes is checked above (a batch's wrapper
    // only points at its item's schema).
    let checked: BTreeSet<&str> = table.iter().map(|(n, _)| *n).collect();
    for op in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .flat_map(|ops| ops.as_object().into_iter().flat_map(|o| o.values()))
    {
        let Some(r) = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
        else {
            continue;
        };
        let name = r.rsplit('/').next().unwrap_or(r);
        let item = name.strip_suffix("Write").map(|one| format!("{one}Input"));
        let name = item.as_deref().unwrap_or(name);
        assert!(
            checked.contains(name),
            "request body {name} is not compared with its type"
        );
    }
}

#[test]
fn the_probe_reads_field_names_as_serde_does() {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        a: String,
        #[serde(rename = "b_b")]
        b: Option<i64>,
    }
    assert_eq!(fields::<Sample>(), BTreeSet::from(["a", "b_b"]));
}
