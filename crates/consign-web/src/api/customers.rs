//! Customers, their contacts, reveals, merge and the pool policy.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};
use consign_domain::customer::{CustomerId, Phone};

/// The customer archive's routes.
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/customers", get(list_customers).post(create_customer))
        .route("/customers/duplicates", post(check_duplicates))
        .route("/customers/{id}", get(get_customer).patch(update_customer))
        .route("/customers/{id}/merge", post(merge))
        .route("/customers/{id}/reveal", post(reveal_customer))
        .route("/customers/{id}/timeline", get(timeline))
        .route(
            "/customers/{id}/contacts",
            get(list_contacts).post(add_contact),
        )
        .route(
            "/customers/{id}/contacts/{cid}",
            axum::routing::patch(update_contact).delete(delete_contact),
        )
        .route(
            "/customers/{id}/contacts/{cid}/reveal",
            post(reveal_contact),
        )
        .route("/policies/pool", get(get_pool_policy).put(set_pool_policy))
        .route("/customers/{id}/archive", post(archive))
        .route("/customers/{id}/restore", post(restore))
        .route("/customers/{id}/release", post(release))
        .route("/customers/{id}/claim", post(claim))
}

pub(crate) async fn list_customers(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let page = customers::list(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(page).into_response())
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DuplicateCheck {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) uscc: Option<String>,
    #[serde(default)]
    pub(crate) phones: Vec<String>,
    #[serde(default)]
    pub(crate) exclude_id: Option<String>,
}

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
    let hits =
        customers::find_duplicates(&app, &u.actor, &b.name, uscc.as_deref(), &phones, exclude)
            .await
            .or_api(&u)?;
    // Only customers the caller may see are named; the count tells the rest.
    let total = hits.len();
    let mut shown = Vec::new();
    for h in hits {
        if let Some(id) = h.id {
            shown.push(json!({
                "id": id, "code": h.code, "name": h.name, "owner_name": h.owner_name,
                "reasons": h.reasons.iter().map(|r| json!({"code": r, "message": u.lang.t(r)})).collect::<Vec<_>>(),
            }));
        }
    }
    Ok(Json(json!({"total": total, "duplicates": shown})).into_response())
}

by_id!(get_customer, customers::get);

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

by_id!(archive, customers::archive);
by_id!(restore, customers::restore);
by_id!(release, customers::release);
by_id!(claim, customers::claim);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeBody {
    pub(crate) into_id: String,
}

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

#[derive(Deserialize)]
pub(crate) struct PageQ {
    pub(crate) page: Option<u64>,
}

pub(crate) async fn timeline(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(p): ApiQuery<PageQ>,
) -> ApiResult<Response> {
    let (items, total) = customers::timeline(&app, &u.actor, id(&cid, &u)?, p.page.unwrap_or(1))
        .await
        .or_api(&u)?;
    Ok(
        Json(json!({"items": items, "total": total, "page": p.page.unwrap_or(1), "per_page": 30}))
            .into_response(),
    )
}

pub(crate) async fn list_contacts(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let d = customers::get(&app, &u.actor, id(&cid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(json!({"items": d.contacts, "total": d.contacts.len()})).into_response())
}

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

pub(crate) async fn get_pool_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let d = customers::reclaim_days(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(json!({"reclaim_days": d})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PoolPolicy {
    pub(crate) reclaim_days: i64,
}

pub(crate) async fn set_pool_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<PoolPolicy>,
) -> ApiResult<Response> {
    let d = customers::set_reclaim_days(&app, &u.actor, &b.reclaim_days.to_string())
        .await
        .or_api(&u)?;
    Ok(Json(json!({"reclaim_days": d})).into_response())
}
