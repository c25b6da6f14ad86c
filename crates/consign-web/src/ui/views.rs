//! Saved views and the column chooser of the lists (the list pattern's other half; see
//! listing.rs): the forms a list page posts, and what a list page shows of them.

use super::*;
use axum::routing::post;
use consign_app::views::{self as uc, ViewInput, ViewItem};
use consign_domain::views::ListKind;

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/views/{list}", post(save))
        .route("/views/{list}/columns", post(choose_columns))
        .route("/views/{list}/{id}/delete", post(delete))
}

fn kind(list: &str, lang: Lang) -> Result<ListKind, Response> {
    ListKind::parse(list).ok_or_else(|| fail(AppError::NotFound, lang))
}

fn list_path(list: ListKind) -> &'static str {
    match list {
        ListKind::Customers => "/customers",
        ListKind::Tickets => "/tickets",
        ListKind::Audit => "/admin/audit",
        ListKind::Tasks => "/tasks",
        ListKind::Shipments => "/shipments",
        ListKind::Imports => "/imports",
        ListKind::Users => "/admin/users",
    }
}

/// The saved view a list page shows (`view=` in its URL), and why one was not saved
/// (`view_error=`, see [`view_error`]).
#[derive(serde::Deserialize)]
pub(crate) struct ViewQ {
    pub(crate) view: Option<String>,
    pub(crate) view_error: Option<String>,
}

/// A column in the chooser: its key, its header, and whether it is shown.
pub struct ColumnChoice {
    pub key: &'static str,
    pub label: String,
    pub shown: bool,
}

/// What a list page shows of its views and columns.
pub struct ListViews {
    pub list: ListKind,
    /// The columns shown, in order.
    pub columns: Vec<String>,
    /// Every column: the shown ones first, in order, then the rest.
    pub chooser: Vec<ColumnChoice>,
    pub views: Vec<ViewItem>,
    /// The view the page is showing (`view=` in its URL), if any.
    pub current: Option<i64>,
    /// The page's filters and sort, for "save as a view".
    pub query: String,
    /// The list's address without filters (its Reset).
    pub base: String,
    /// The columns the page shows, in order: `columns` without any it omits.
    pub shown: Vec<String>,
}

impl ListViews {
    /// Leaves a chosen column out of this page (the customer column of the shipments on
    /// a customer's page); the chooser still offers it.
    pub fn omit(&mut self, key: &str) {
        self.shown.retain(|c| c != key);
    }
    pub fn label_of(&self, key: &str) -> String {
        self.chooser
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.label.clone())
            .unwrap_or_default()
    }
    /// A header's class: the list's letter and the column (`s-revenue`, its width in
    /// app.css), and `num` for a column of numbers.
    pub fn th_class(&self, key: &str) -> String {
        let letter = match self.list {
            ListKind::Customers => "c",
            ListKind::Tickets => "t",
            ListKind::Audit => "a",
            ListKind::Tasks => "k",
            ListKind::Shipments => "s",
            ListKind::Imports => "i",
            ListKind::Users => "u",
        };
        let num = matches!(
            (self.list, key),
            (ListKind::Shipments, "pieces" | "weight" | "revenue")
                | (
                    ListKind::Imports,
                    "read" | "new" | "updated" | "unchanged" | "bad"
                )
        );
        format!("{letter}-{key}{}", if num { " num" } else { "" })
    }
    pub fn is_current(&self, v: &ViewItem) -> bool {
        self.current == Some(v.id)
    }
    pub fn href(&self, v: &ViewItem) -> String {
        view_href(self.list, v)
    }
}

/// The address of a list showing a view: its filters, then `view=`.
fn view_href(list: ListKind, v: &ViewItem) -> String {
    let path = list_path(list);
    if v.query.is_empty() {
        format!("{path}?view={}", v.id)
    } else {
        format!("{path}?{}&view={}", v.query, v.id)
    }
}

/// The views and columns of `list` for the user; `view` is the page's `view=` (a view it
/// does not see is left out, the page then shows the user's own columns).
pub(crate) async fn for_page(
    app: &App,
    u: &UiUser,
    list: ListKind,
    view: Option<&str>,
    query: String,
) -> Result<ListViews, Response> {
    let lang = u.lang;
    let views = uc::list(app, &u.actor, list)
        .await
        .map_err(|e| fail(e, lang))?;
    let current = view
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(|id| views.iter().find(|v| v.id == id));
    let columns: Vec<&'static str> = match current {
        Some(v) => v.columns.clone(),
        None => uc::columns(app, &u.actor, list)
            .await
            .map_err(|e| fail(e, lang))?,
    };
    let mut chooser: Vec<ColumnChoice> = columns
        .iter()
        .filter_map(|k| list.columns().iter().find(|c| c.key == *k))
        .map(|c| ColumnChoice {
            key: c.key,
            label: lang.t(c.label).to_string(),
            shown: true,
        })
        .collect();
    for c in list.columns() {
        if !columns.contains(&c.key) {
            chooser.push(ColumnChoice {
                key: c.key,
                label: lang.t(c.label).to_string(),
                shown: false,
            });
        }
    }
    Ok(ListViews {
        list,
        columns: columns.iter().map(|c| c.to_string()).collect(),
        shown: columns.iter().map(|c| c.to_string()).collect(),
        chooser,
        current: current.map(|v| v.id),
        views,
        query,
        base: list_path(list).to_string(),
    })
}

/// Why a view was not saved, as the list page shows it (`view_error=`): only these.
const VIEW_ERRORS: [&str; 4] = [
    "err.required",
    "err.too_long",
    "err.duplicate_view_name",
    "err.columns_none",
];

fn back_with_error(list: ListKind, query: &str, code: &str) -> String {
    let code = VIEW_ERRORS.iter().position(|c| *c == code).unwrap_or(0);
    let query: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let query = serde_urlencoded::to_string(list.view_filters(&query)).unwrap_or_default();
    let sep = if query.is_empty() { "" } else { "&" };
    format!("{}?{query}{sep}view_error={code}", list_path(list))
}

/// The message of a list page's `view_error=` (None for anything else).
pub(crate) fn view_error(lang: Lang, v: Option<&str>) -> Option<String> {
    let code = VIEW_ERRORS.get(v?.trim().parse::<usize>().ok()?)?;
    Some(format!("{}：{}", lang.t("view.not_saved"), lang.t(code)))
}

/// Saves the page's filters, sort and columns as a view; back to the list showing it.
async fn save(State(app): State<App>, Path(list): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let list = kind(&list, lang)?;
    let filters: Vec<(String, String)> =
        serde_urlencoded::from_str(&p.form.text("query")).unwrap_or_default();
    let columns: Vec<String> = p
        .form
        .0
        .iter()
        .filter(|(k, _)| k == "col")
        .map(|(_, v)| v.clone())
        .collect();
    let input = ViewInput {
        name: p.form.text("name"),
        filters,
        columns,
        shared: p.form.get("shared").is_some(),
    };
    match uc::save(&app, &p.user.actor, list, &input).await {
        Ok(v) => Ok(Redirect::to(&view_href(list, &v)).into_response()),
        // Back to the list as it was, saying why the view was not saved.
        Err(AppError::Validation(errs)) => {
            let code = errs.0.first().map_or("err.required", |e| e.code);
            Ok(Redirect::to(&back_with_error(list, &p.form.text("query"), code)).into_response())
        }
        Err(AppError::Conflict { code, .. }) => {
            Ok(Redirect::to(&back_with_error(list, &p.form.text("query"), code)).into_response())
        }
        Err(e) => Err(fail(e, lang)),
    }
}

/// Shows, hides and orders the list's columns for the user: the ticked `col`s in the
/// form's order; `up` moves one of them a place up.
async fn choose_columns(State(app): State<App>, Path(list): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let list = kind(&list, lang)?;
    let mut cols: Vec<String> = p
        .form
        .0
        .iter()
        .filter(|(k, _)| k == "col")
        .map(|(_, v)| v.clone())
        .collect();
    if let Some(up) = p.form.get("up") {
        if let Some(i) = cols.iter().position(|c| c == up) {
            if i > 0 {
                cols.swap(i - 1, i);
            }
        }
    }
    uc::set_columns(&app, &p.user.actor, list, &cols)
        .await
        .map_err(|e| fail(e, lang))?;
    // Back to the page the form was on (a path of this site only).
    let back = p.form.text("back");
    let to = if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        list_path(list).to_string()
    };
    Ok(Redirect::to(&to).into_response())
}

async fn delete(
    State(app): State<App>,
    Path((list, id)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let list = kind(&list, lang)?;
    let id = parse_id::<i64>(&id, lang)?;
    uc::delete(&app, &p.user.actor, list, id)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to(list_path(list)).into_response())
}
