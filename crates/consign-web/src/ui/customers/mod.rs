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

/// The customer archive's screens.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/customers", get(customers_list).post(customer_create))
        .route("/customers/new", get(customer_new))
        .route("/customers/export", get(customers_export))
        .route(
            "/customers/{id}/export/{kind}",
            get(customer_records_export),
        )
        .route("/pool", get(pool_list))
        .route("/customers/{id}", get(customer_show))
        .route(
            "/customers/{id}/edit",
            get(customer_edit).post(customer_update),
        )
        .route("/customers/{id}/merge", get(merge_page).post(merge_submit))
        .route("/customers/{id}/reveal", post(reveal_id_number))
        .route("/customers/{id}/contacts", post(contact_add))
        .route("/customers/{id}/interactions", post(interaction_add))
        .route("/customers/{id}/tasks", post(task_add))
        .route(
            "/customers/{id}/contacts/{cid}/edit",
            get(contact_edit).post(contact_update),
        )
        .route(
            "/customers/{id}/contacts/{cid}/edit/reveal",
            post(contact_reveal_to_edit),
        )
        .route(
            "/customers/{id}/contacts/{cid}/delete",
            post(contact_delete),
        )
        .route(
            "/customers/{id}/contacts/{cid}/reveal",
            post(contact_reveal),
        )
        .route("/customers/{id}/do/{action}", post(customer_action))
}
