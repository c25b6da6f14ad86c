//! The customer archive's screens: the list, a customer's page, the forms, merging.

mod contacts;
mod detail;
mod form;
mod list;
mod merge;
#[allow(unused_imports)]
pub(crate) use contacts::*;
#[allow(unused_imports)]
pub(crate) use detail::*;
#[allow(unused_imports)]
pub(crate) use form::*;
#[allow(unused_imports)]
pub(crate) use list::*;
#[allow(unused_imports)]
pub(crate) use merge::*;
