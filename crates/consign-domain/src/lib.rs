//! Consign domain: pure types and rules, no IO.
//!
//! Everything here is deterministic and testable without a database: validated
//! values, the customer archive's vocabulary, roles and permissions, search keys
//! (Chinese bigrams and pinyin), personal-data masking, the values of operations data
//! (money in fen, local times, waybill numbers) and the message catalogue.

pub mod billing;
pub mod classify;
pub mod credit;
pub mod customer;
pub mod followup;
pub mod i18n;
pub mod improvements;
pub mod kpis;
pub mod mask;
pub mod objects;
pub mod ops;
pub mod params;
pub mod role;
pub mod search;
pub mod service;
pub mod shipment;
pub mod surveys;
pub mod tracking;
pub mod validate;
pub mod views;
pub mod webhooks;

pub use i18n::Lang;
pub use validate::{FieldError, FieldErrors};
