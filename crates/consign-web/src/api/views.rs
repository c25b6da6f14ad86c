//! Saved views and column choices of the lists (issue 18; the segments of SPEC §9 later):
//! the same rules as the list pages' menus, for a client.

#[allow(unused_imports)]
use super::*;
use consign_app::views::{self as uc, ViewInput, ViewItem};
use consign_domain::views::ListKind;

/// The view and column routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(list_views, save_view))
        .routes(routes!(delete_view))
        .routes(routes!(get_columns, set_columns))
}

/// The path's `{list}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct ListPath {
    #[param(inline)]
    list: ListKind,
}

/// The path's `{list}` and `{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct ViewPath {
    #[param(inline)]
    list: ListKind,
    id: String,
}

fn list_kind(s: &str, u: &ApiUser) -> ApiResult<ListKind> {
    ListKind::parse(s).ok_or_else(|| WebError::api(AppError::NotFound, u.lang))
}

/// A new view: its name, the list's filters and sort as its page's query string
/// (`province=广东&value_class=a`; keys the list does not filter by are left out), its
/// columns in order, and whether the team sees it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewView {
    name: String,
    #[serde(default)]
    query: String,
    columns: Vec<String>,
    #[serde(default)]
    shared: bool,
}

/// The columns of a list, in order.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Columns {
    columns: Vec<String>,
}

/// Your views of a list and the ones your team shares
#[utoipa::path(get, path = "/views/{list}", tag = "views", params(ListPath),
    responses((status = 200, body = Listed<ViewItem>)))]
pub(crate) async fn list_views(
    State(app): State<App>,
    u: ApiUser,
    Path(list): Path<String>,
) -> ApiResult<Response> {
    let list = list_kind(&list, &u)?;
    let items = uc::list(&app, &u.actor, list).await.or_api(&u)?;
    Ok(Json(Listed::from(items)).into_response())
}

/// Save a view of a list (a name you have not used on it)
#[utoipa::path(post, path = "/views/{list}", tag = "views", params(ListPath),
    request_body = NewView, responses((status = 201, body = ViewItem)))]
pub(crate) async fn save_view(
    State(app): State<App>,
    u: ApiUser,
    Path(list): Path<String>,
    ApiJson(b): ApiJson<NewView>,
) -> ApiResult<Response> {
    let list = list_kind(&list, &u)?;
    let filters: Vec<(String, String)> = serde_urlencoded::from_str(&b.query)
        .map_err(|_| WebError::api(AppError::field("query", "err.invalid_choice"), u.lang))?;
    let input = ViewInput {
        name: b.name,
        filters,
        columns: b.columns,
        shared: b.shared,
    };
    let v = uc::save(&app, &u.actor, list, &input).await.or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Delete one of your views
#[utoipa::path(delete, path = "/views/{list}/{id}", tag = "views", params(ViewPath),
    responses((status = 204, description = "Done")))]
pub(crate) async fn delete_view(
    State(app): State<App>,
    u: ApiUser,
    Path((list, vid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let list = list_kind(&list, &u)?;
    uc::delete(&app, &u.actor, list, id(&vid, &u)?)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The columns a list shows you: your choice, else your role's
#[utoipa::path(get, path = "/views/{list}/columns", tag = "views", params(ListPath),
    responses((status = 200, body = Columns)))]
pub(crate) async fn get_columns(
    State(app): State<App>,
    u: ApiUser,
    Path(list): Path<String>,
) -> ApiResult<Response> {
    let list = list_kind(&list, &u)?;
    let cols = uc::columns(&app, &u.actor, list).await.or_api(&u)?;
    Ok(Json(Columns {
        columns: cols.iter().map(|c| c.to_string()).collect(),
    })
    .into_response())
}

/// Choose the columns a list shows you, in order (its naming column is kept)
#[utoipa::path(put, path = "/views/{list}/columns", tag = "views", params(ListPath),
    request_body = Columns, responses((status = 200, body = Columns)))]
pub(crate) async fn set_columns(
    State(app): State<App>,
    u: ApiUser,
    Path(list): Path<String>,
    ApiJson(b): ApiJson<Columns>,
) -> ApiResult<Response> {
    let list = list_kind(&list, &u)?;
    let cols = uc::set_columns(&app, &u.actor, list, &b.columns)
        .await
        .or_api(&u)?;
    Ok(Json(Columns {
        columns: cols.iter().map(|c| c.to_string()).collect(),
    })
    .into_response())
}
