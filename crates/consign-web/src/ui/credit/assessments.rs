//! The assessment and statement forms of a customer's credit page, and how ratios read.

#[allow(unused_imports)]
use super::*;
use consign_app::credit::{AssessmentInput, StatementInput};
use consign_domain::credit::ratios::{Flag, Ratio, Statement};

/// The statement's items, in the form's order.
pub(super) const ITEMS: &[&str] = &[
    "cash_fen",
    "cash_equivalents_fen",
    "receivables_fen",
    "inventory_fen",
    "current_assets_fen",
    "total_assets_fen",
    "current_liabilities_fen",
    "total_liabilities_fen",
    "sales_fen",
    "credit_sales_fen",
    "cost_of_sales_fen",
    "costs_and_expenses_fen",
    "profit_fen",
    "opening_receivables_fen",
    "opening_inventory_fen",
    "opening_total_assets_fen",
];

/// Items that may be left empty (taken from elsewhere).
const OPTIONAL: &[&str] = &[
    "credit_sales_fen",
    "opening_receivables_fen",
    "opening_inventory_fen",
    "opening_total_assets_fen",
];

fn slot<'a>(s: &'a mut Statement, key: &str) -> Option<&'a mut Fen> {
    Some(match key {
        "cash_fen" => &mut s.cash_fen,
        "cash_equivalents_fen" => &mut s.cash_equivalents_fen,
        "receivables_fen" => &mut s.receivables_fen,
        "inventory_fen" => &mut s.inventory_fen,
        "current_assets_fen" => &mut s.current_assets_fen,
        "total_assets_fen" => &mut s.total_assets_fen,
        "current_liabilities_fen" => &mut s.current_liabilities_fen,
        "total_liabilities_fen" => &mut s.total_liabilities_fen,
        "sales_fen" => &mut s.sales_fen,
        "cost_of_sales_fen" => &mut s.cost_of_sales_fen,
        "costs_and_expenses_fen" => &mut s.costs_and_expenses_fen,
        "profit_fen" => &mut s.profit_fen,
        _ => return None,
    })
}

fn optional_slot<'a>(s: &'a mut Statement, key: &str) -> Option<&'a mut Option<Fen>> {
    Some(match key {
        "credit_sales_fen" => &mut s.credit_sales_fen,
        "opening_receivables_fen" => &mut s.opening_receivables_fen,
        "opening_inventory_fen" => &mut s.opening_inventory_fen,
        "opening_total_assets_fen" => &mut s.opening_total_assets_fen,
        _ => return None,
    })
}

/// An item of a stored statement, in yuan (empty when not given).
pub(super) fn item_text(s: &Statement, key: &str) -> String {
    let mut s = s.clone();
    if let Some(v) = slot(&mut s, key) {
        return v.to_string();
    }
    optional_slot(&mut s, key)
        .and_then(|v| v.map(|f| f.to_string()))
        .unwrap_or_default()
}

/// A ratio as shown: percentages for shares, "7.00 次" for turnovers, "1.50" for
/// coverage ratios, "—" when undefined.
pub(super) fn ratio_text(r: &Ratio) -> String {
    match r.value {
        None => "—".into(),
        Some(v) => match r.key {
            "ar_turnover" | "inventory_turnover" => format!("{v:.2}×"),
            "current_ratio" | "quick_ratio" => format!("{v:.2}"),
            _ => format!("{:.1}%", v * 100.0),
        },
    }
}

pub(super) fn flag_class(f: Flag) -> &'static str {
    match f {
        Flag::Good => "badge-green",
        Flag::Watch => "badge-amber",
        Flag::Poor => "badge-red",
        Flag::Info => "badge-gray",
        Flag::Undefined => "badge-gray",
    }
}

pub(super) fn flag_key(f: Flag) -> &'static str {
    match f {
        Flag::Good => "credit.flag.good",
        Flag::Watch => "credit.flag.watch",
        Flag::Poor => "credit.flag.poor",
        Flag::Info => "credit.flag.info",
        Flag::Undefined => "credit.flag.undefined",
    }
}

fn customer(id: &str, lang: Lang) -> std::result::Result<CustomerId, Response> {
    id.parse::<CustomerId>()
        .map_err(|_| fail(AppError::NotFound, lang))
}

pub(super) async fn assess(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let cid = customer(&id, lang)?;
    let values: HashMap<String, String> = p.form.0.iter().cloned().collect();
    let method = p.form.text("method");
    let factors = consign_domain::credit::assessment::Method::parse(&method)
        .unwrap_or_default()
        .factors();
    let input = AssessmentInput {
        method: Some(method),
        // An empty or unreadable choice is 0: refused as out of range, by factor.
        scores: factors
            .iter()
            .map(|f| {
                p.form
                    .text(&format!("score_{f}"))
                    .trim()
                    .parse()
                    .unwrap_or(0)
            })
            .collect(),
        notes: Some(p.form.text("notes")),
    };
    match credit::add_assessment(&app, &p.user.actor, cid, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/customers/{}/credit?ok=assessed#assessments",
            cid.get()
        ))
        .into_response()),
        Err(AppError::Validation(mut e)) => {
            for x in &mut e.0 {
                if let Some(f) = x.field.strip_prefix("scores.") {
                    x.field = format!("score_{f}");
                }
            }
            let forms = Forms {
                assess: Some((values, e)),
                ..Forms::default()
            };
            customer_view(&app, &p.user, cid, forms, String::new()).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

pub(super) async fn statement(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let cid = customer(&id, lang)?;
    let values: HashMap<String, String> = p.form.0.iter().cloned().collect();
    let mut e = FieldErrors::default();
    let mut items = Statement::default();
    for key in ITEMS {
        let raw = p.form.text(key);
        let parsed = if raw.trim().is_empty() {
            if OPTIONAL.contains(key) {
                None
            } else {
                Some(Fen::ZERO)
            }
        } else {
            match Fen::parse(&raw) {
                Ok(f) => Some(f),
                Err(k) => {
                    e.add(*key, k);
                    None
                }
            }
        };
        if let Some(v) = slot(&mut items, key) {
            *v = parsed.unwrap_or_default();
        } else if let Some(v) = optional_slot(&mut items, key) {
            *v = parsed;
        }
    }
    let forms = |e: FieldErrors| Forms {
        statement: Some((values.clone(), e)),
        ..Forms::default()
    };
    if !e.is_empty() {
        return customer_view(&app, &p.user, cid, forms(e), String::new()).await;
    }
    let input = StatementInput {
        period: p.form.text("period"),
        items,
    };
    match credit::put_statement(&app, &p.user.actor, cid, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/customers/{}/credit?ok=statement#statements",
            cid.get()
        ))
        .into_response()),
        Err(AppError::Validation(e)) => {
            customer_view(&app, &p.user, cid, forms(e), String::new()).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

/// The statement file form (multipart: `_csrf`, `period`, `file`), at most 2 MB read.
pub(super) async fn statement_file(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> UiResult {
    let lang = u.lang;
    let cid = customer(&id, lang)?;
    let limit = consign_app::credit::statement_file::MAX_STATEMENT_BYTES;
    let (mut csrf_ok, mut period, mut file) = (false, String::new(), None::<Vec<u8>>);
    let mut too_large = false;
    while let Ok(Some(mut field)) = form.next_field().await {
        match field.name().unwrap_or_default() {
            "_csrf" => csrf_ok = field.text().await.unwrap_or_default() == u.csrf,
            "period" => period = field.text().await.unwrap_or_default(),
            "file" => {
                let mut bytes = Vec::new();
                while let Ok(Some(c)) = field.chunk().await {
                    bytes.extend_from_slice(&c);
                    if bytes.len() > limit {
                        too_large = true;
                        break;
                    }
                }
                file = Some(bytes);
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(crate::error::WebError::csrf(crate::error::Surface::Ui, lang).into_response());
    }
    let values = HashMap::from([("period".to_string(), period.clone())]);
    let refuse = |e: FieldErrors| Forms {
        statement: Some((values.clone(), e)),
        ..Forms::default()
    };
    let bytes = match file.filter(|b| !b.is_empty()) {
        _ if too_large => {
            let mut e = FieldErrors::default();
            e.add("file", "err.statement_file_too_large");
            return customer_view(&app, &u, cid, refuse(e), String::new()).await;
        }
        Some(b) => b,
        None => {
            let mut e = FieldErrors::default();
            e.add("file", "err.required");
            return customer_view(&app, &u, cid, refuse(e), String::new()).await;
        }
    };
    match credit::import_statement(&app, &u.actor, cid, &period, &bytes).await {
        Ok(r) => {
            let mut msg = lang.t("credit.statement_imported").to_string();
            if !r.file.missing.is_empty() {
                let names: Vec<String> = r
                    .file
                    .missing
                    .iter()
                    .map(|f| lang.t(&format!("credit.item.{f}")).to_string())
                    .collect();
                msg = format!(
                    "{msg}。{}",
                    lang.tf("credit.statement_missing", &[&names.join("、")])
                );
            }
            customer_view(&app, &u, cid, Forms::default(), msg).await
        }
        Err(AppError::Validation(e)) => {
            // Cell errors name the cell; shown on the file field.
            let mut shown = FieldErrors::default();
            for x in &e.0 {
                if x.field == "period" {
                    shown.add("period", x.code);
                } else {
                    shown.add("file", x.code);
                }
            }
            let cells: Vec<&str> =
                e.0.iter()
                    .filter(|x| x.field != "period" && x.field != "file")
                    .map(|x| x.field.as_str())
                    .collect();
            let mut forms = refuse(shown);
            if let Some((v, _)) = forms.statement.as_mut() {
                v.insert("cells".into(), cells.join(", "));
            }
            customer_view(&app, &u, cid, forms, String::new()).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}
