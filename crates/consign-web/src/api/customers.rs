//! Customers, their contacts, reveals, merge and the pool policy.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};
use consign_domain::customer::{CustomerId, Phone};

/// The customer archive's routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(list_customers, create_customer))
        .routes(routes!(check_duplicates))
        .routes(routes!(get_customer, update_customer))
        .routes(routes!(merge))
        .routes(routes!(reveal_customer))
        .routes(routes!(timeline))
        .routes(routes!(list_contacts, add_contact))
        .routes(routes!(update_contact, delete_contact))
        .routes(routes!(reveal_contact))
        .routes(routes!(get_pool_policy, set_pool_policy))
        .routes(routes!(archive))
        .routes(routes!(restore))
        .routes(routes!(release))
        .routes(routes!(claim))
}

/// A new customer: the customer's fields (`CustomerInput`) and its first `contacts`.
pub(crate) struct NewCustomerBody;

impl utoipa::PartialSchema for NewCustomerBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{schema::Schema, ArrayBuilder, Ref, RefOr};
        let mut s = <CustomerInput as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(o)) = &mut s {
            let contacts = ArrayBuilder::new().items(Ref::from_schema_name("ContactInput"));
            o.properties.insert("contacts".into(), contacts.into());
        }
        s
    }
}

impl ToSchema for NewCustomerBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "NewCustomer".into()
    }
    fn schemas(
        out: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        out.push(("ContactInput".into(), ContactInput::schema()));
        <ContactInput as ToSchema>::schemas(out);
        <CustomerInput as ToSchema>::schemas(out);
    }
}

/// A customer's `{id}` and one of its contacts' `{cid}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct ContactPath {
    id: String,
    cid: String,
}

/// List and search customers
#[utoipa::path(get, path = "/customers", tag = "customers", params(customers::ListQuery),
    responses((status = 200, body = Page<customers::CustomerView>)))]
pub(crate) async fn list_customers(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let page = customers::list(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(page).into_response())
}

/// Create a customer (409 with `duplicates` unless confirm_duplicates)
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = NewCustomerBody,
    params(("Idempotency-Key" = Option<String>, Header, max_length = 255,
        description = "Up to 255 visible ASCII characters, unique per intended create. A retry with the same key and body within 24 hours gets the first answer again (header `Idempotent-Replayed: true`) instead of a second customer; the same key with another body is a 422, and while the first request runs a 409.")),
    responses((status = 201, body = customers::CustomerDetail)))]
pub(crate) async fn create_customer(
    State(app): State<App>,
    u: ApiUser,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    idempotent(&app, &u, &headers, "POST /api/v1/customers", body, |body| {
        let (app, u) = (app.clone(), &u);
        async move {
            let mut body = body;
            // The customer's fields and its `contacts`, each checked with exact field paths.
            let contacts = match body.as_object_mut().and_then(|o| o.remove("contacts")) {
                Some(v) => crate::extract::from_value::<Vec<ContactInput>>(v, "contacts", u.lang)?,
                None => Vec::new(),
            };
            let customer: CustomerInput = crate::extract::from_value(body, "", u.lang)?;
            let input = NewCustomer { customer, contacts };
            let d = customers::create(&app, &u.actor, &input).await.or_api(u)?;
            let value = serde_json::to_value(d)
                .map_err(AppError::from_err)
                .or_api(u)?;
            Ok((StatusCode::CREATED, value))
        }
    })
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DuplicateCheck {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) uscc: Option<String>,
    #[serde(default)]
    pub(crate) phones: Vec<String>,
    /// the city, when known: a near-same name in another city with another USCC is no
    /// duplicate
    #[serde(default)]
    pub(crate) city: Option<String>,
    #[serde(default)]
    pub(crate) exclude_id: Option<String>,
}

/// Likely duplicates: how many, and those the caller may see.
#[derive(Serialize, ToSchema)]
pub(crate) struct DuplicateList {
    total: usize,
    duplicates: Vec<crate::error::Duplicate>,
}

/// Find likely duplicates
#[utoipa::path(post, path = "/customers/duplicates", tag = "customers", request_body = DuplicateCheck,
    responses((status = 200, body = DuplicateList)))]
pub(crate) async fn check_duplicates(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<DuplicateCheck>,
) -> ApiResult<Response> {
    let phones: Vec<Phone> = b
        .phones
        .iter()
        .filter_map(|p| Phone::parse(p).ok())
        .collect();
    let uscc = b
        .uscc
        .as_deref()
        .and_then(|s| consign_domain::validate::uscc(s).ok());
    let exclude = b.exclude_id.and_then(|s| CustomerId::parse(&s).ok());
    let hits = customers::find_duplicates(
        &app,
        &u.actor,
        &b.name,
        uscc.as_deref(),
        b.city.as_deref(),
        &phones,
        exclude,
    )
    .await
    .or_api(&u)?;
    // Only customers the caller may see are named; the count tells the rest.
    let total = hits.len();
    let shown = hits
        .iter()
        .filter_map(|h| crate::error::Duplicate::of(h, u.lang));
    let answer = DuplicateList {
        total,
        duplicates: shown.collect(),
    };
    Ok(Json(answer).into_response())
}

by_id!(
    /// A customer with contacts and permissions
    #[utoipa::path(get, path = "/customers/{id}", tag = "customers", params(IdPath),
        responses((status = 200, body = customers::CustomerDetail)))]
    get_customer, customers::get);

/// Change fields (absent fields stay)
#[utoipa::path(patch, path = "/customers/{id}", tag = "customers", params(IdPath),
    request_body = CustomerInput, responses((status = 200, body = customers::CustomerDetail)))]
pub(crate) async fn update_customer(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<CustomerInput>,
) -> ApiResult<Response> {
    let d = customers::update(&app, &u.actor, id(&cid, &u)?, &input)
        .await
        .or_api(&u)?;
    Ok(Json(d).into_response())
}

by_id!(
    /// Archive
    #[utoipa::path(post, path = "/customers/{id}/archive", tag = "customers", params(IdPath),
        responses((status = 200, body = customers::CustomerDetail)))]
    archive, customers::archive);
by_id!(
    /// Restore
    #[utoipa::path(post, path = "/customers/{id}/restore", tag = "customers", params(IdPath),
        responses((status = 200, body = customers::CustomerDetail)))]
    restore, customers::restore);
by_id!(
    /// Release to the pool
    #[utoipa::path(post, path = "/customers/{id}/release", tag = "customers", params(IdPath),
        responses((status = 200, body = customers::CustomerDetail)))]
    release, customers::release);
by_id!(
    /// Claim from the pool
    #[utoipa::path(post, path = "/customers/{id}/claim", tag = "customers", params(IdPath),
        responses((status = 200, body = customers::CustomerDetail)))]
    claim, customers::claim);

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Merge)]
pub(crate) struct MergeBody {
    /// the customer that stays
    pub(crate) into_id: String,
}

/// Merge this customer into another
#[utoipa::path(post, path = "/customers/{id}/merge", tag = "customers", params(IdPath),
    request_body = MergeBody, responses((status = 200, body = customers::CustomerDetail)))]
pub(crate) async fn merge(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult<Response> {
    let into = b.into_id.trim().parse().map_err(|_| {
        WebError::api(
            AppError::field("into_id", "err.merge_target_missing"),
            u.lang,
        )
    })?;
    let d = customers::merge(&app, &u.actor, id(&cid, &u)?, into)
        .await
        .or_api(&u)?;
    Ok(Json(d).into_response())
}

/// ID number in clear (audited)
#[utoipa::path(post, path = "/customers/{id}/reveal", tag = "personal data", params(IdPath),
    responses((status = 200, body = customers::Revealed)))]
pub(crate) async fn reveal_customer(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let r = customers::reveal(&app, &u.actor, id(&cid, &u)?, None)
        .await
        .or_api(&u)?;
    Ok(Json(r).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQ {
    #[param(minimum = 1, maximum = 100000)]
    pub(crate) page: Option<u64>,
}

/// Activity from the audit log
#[utoipa::path(get, path = "/customers/{id}/timeline", tag = "customers", params(IdPath, PageQ),
    responses((status = 200, body = Page<consign_app::audit::AuditView>)))]
pub(crate) async fn timeline(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(p): ApiQuery<PageQ>,
) -> ApiResult<Response> {
    let page_no = page(p.page, &u)?;
    let (items, total) = customers::timeline(&app, &u.actor, id(&cid, &u)?, page_no)
        .await
        .or_api(&u)?;
    let page = Page {
        items,
        total,
        page: page_no,
        per_page: 30,
    };
    Ok(Json(page).into_response())
}

/// Contacts (masked)
#[utoipa::path(get, path = "/customers/{id}/contacts", tag = "contacts", params(IdPath),
    responses((status = 200, body = Listed<customers::ContactView>)))]
pub(crate) async fn list_contacts(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let d = customers::get(&app, &u.actor, id(&cid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(Listed::from(d.contacts)).into_response())
}

/// Add a contact
#[utoipa::path(post, path = "/customers/{id}/contacts", tag = "contacts", params(IdPath),
    request_body = ContactInput, responses((status = 201, body = customers::ContactView)))]
pub(crate) async fn add_contact(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(b): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    let k = customers::add_contact(&app, &u.actor, id(&cid, &u)?, &b)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(k)).into_response())
}

/// Change a contact
#[utoipa::path(patch, path = "/customers/{id}/contacts/{cid}", tag = "contacts", params(ContactPath),
    request_body = ContactInput, responses((status = 200, body = customers::ContactView)))]
pub(crate) async fn update_contact(
    State(app): State<App>,
    u: ApiUser,
    Path((cid, kid)): Path<(String, String)>,
    ApiJson(b): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    let k = customers::update_contact(&app, &u.actor, id(&cid, &u)?, id(&kid, &u)?, &b)
        .await
        .or_api(&u)?;
    Ok(Json(k).into_response())
}

/// Delete a contact
#[utoipa::path(delete, path = "/customers/{id}/contacts/{cid}", tag = "contacts", params(ContactPath),
    responses((status = 204, description = "Done")))]
pub(crate) async fn delete_contact(
    State(app): State<App>,
    u: ApiUser,
    Path((cid, kid)): Path<(String, String)>,
) -> ApiResult<Response> {
    customers::delete_contact(&app, &u.actor, id(&cid, &u)?, id(&kid, &u)?)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Phone and email in clear (audited)
#[utoipa::path(post, path = "/customers/{id}/contacts/{cid}/reveal", tag = "personal data",
    params(ContactPath), responses((status = 200, body = customers::Revealed)))]
pub(crate) async fn reveal_contact(
    State(app): State<App>,
    u: ApiUser,
    Path((cid, kid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let r = customers::reveal(&app, &u.actor, id(&cid, &u)?, Some(id(&kid, &u)?))
        .await
        .or_api(&u)?;
    Ok(Json(r).into_response())
}

/// Customer pool policy
#[utoipa::path(get, path = "/policies/pool", tag = "policies",
    responses((status = 200, body = PoolPolicy)))]
pub(crate) async fn get_pool_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let reclaim_days = customers::reclaim_days(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(PoolPolicy { reclaim_days }).into_response())
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PoolPolicy {
    /// days without a shipment or interaction before a customer returns to the pool
    pub(crate) reclaim_days: i64,
}

/// Change the pool policy (admin)
#[utoipa::path(put, path = "/policies/pool", tag = "policies", request_body = PoolPolicy,
    responses((status = 200, body = PoolPolicy)))]
pub(crate) async fn set_pool_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<PoolPolicy>,
) -> ApiResult<Response> {
    let d = customers::set_reclaim_days(&app, &u.actor, &b.reclaim_days.to_string())
        .await
        .or_api(&u)?;
    Ok(Json(PoolPolicy { reclaim_days: d }).into_response())
}
