//! Promises to pay taken down on a customer's credit page.

#[allow(unused_imports)]
use super::*;

pub(super) async fn promise(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let cid = id
        .parse::<CustomerId>()
        .map_err(|_| fail(AppError::NotFound, lang))?;
    let values: HashMap<String, String> = p.form.0.iter().cloned().collect();
    let amount = p.form.text("amount");
    let forms = |e: FieldErrors| Forms {
        promise: Some((values.clone(), e)),
        ..Forms::default()
    };
    let amount_fen = match Fen::parse(&amount) {
        Ok(f) => Some(f),
        Err(_) if amount.trim().is_empty() => None,
        Err(k) => {
            let mut e = FieldErrors::default();
            e.add("amount", k);
            return customer_view(&app, &p.user, cid, forms(e), String::new()).await;
        }
    };
    let input = consign_app::credit::PromiseInput {
        amount_fen,
        promised_on: p.form.text("promised_on"),
        note: p.form.text("note"),
    };
    match credit::add_promise(&app, &p.user.actor, cid, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/customers/{}/credit?ok=promise#collections",
            cid.get()
        ))
        .into_response()),
        Err(AppError::Validation(mut e)) => {
            for x in &mut e.0 {
                if x.field == "amount_fen" {
                    x.field = "amount".into();
                }
            }
            customer_view(&app, &p.user, cid, forms(e), String::new()).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}
