//! Writing the rows of tracking, invoice, payment, customer and contact files, each keyed by its natural key.

#[allow(unused_imports)]
use super::*;
use consign_domain::customer::CustomerId;

/// Writes one batch of records of `w.kind` with its bad rows and the run's counts.
pub(crate) async fn write(
    w: &mut Writer<'_>,
    code_header: String,
    records: Vec<(i64, Record)>,
    mut errors: Vec<RowError>,
    read: i64,
) -> Result<()> {
    let now = Utc::now();
    let mut counts = w.counts.clone();
    let mut prospects = 0;
    match w.kind {
        ImportKind::Customers => {
            let rows = records
                .into_iter()
                .filter_map(|(n, r)| match r {
                    Record::Customer(c) => Some((n, *c)),
                    _ => None,
                })
                .collect();
            super::bulk_customers::write_customers(
                w,
                &code_header,
                rows,
                &mut errors,
                &mut counts,
                read,
                false,
            )
            .await?;
        }
        ImportKind::Contacts => {
            // Through the archive's own use cases (validation, encrypted personal data,
            // scope, audit), a row at a time.
            for (row_no, r) in records {
                let outcome = match r {
                    Record::Contact { code, input } => {
                        write_contact(w, row_no, &code, &code_header, input, &mut errors).await?
                    }
                    _ => None,
                };
                count(&mut counts, outcome);
            }
            let txn = w.bulk.begin_write().await?;
            finish_batch(w, &txn, &mut errors, &mut counts, read, 0, now).await?;
            txn.commit().await?;
        }
        ImportKind::Tracking | ImportKind::Invoices | ImportKind::Payments => {
            let txn = w.bulk.begin_write().await?;
            match w.kind {
                ImportKind::Tracking => {
                    write_events(&txn, records, &mut errors, &mut counts).await?
                }
                _ => {
                    prospects = write_bills(
                        w,
                        &txn,
                        &code_header,
                        records,
                        &mut errors,
                        &mut counts,
                        now,
                    )
                    .await?;
                }
            }
            finish_batch(w, &txn, &mut errors, &mut counts, read, prospects, now).await?;
            txn.commit().await?;
        }
        ImportKind::Shipments => {}
    }
    w.counts = counts;
    let room = 100usize.saturating_sub(w.first_errors.len());
    w.first_errors.extend(errors.into_iter().take(room));
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    New,
    Updated,
    Unchanged,
}

pub(crate) fn count(counts: &mut Counts, o: Option<Outcome>) {
    match o {
        Some(Outcome::New) => counts.rows_new += 1,
        Some(Outcome::Updated) => counts.rows_updated += 1,
        Some(Outcome::Unchanged) => counts.rows_unchanged += 1,
        None => {}
    }
}

pub(crate) async fn finish_batch<C: consign_store::ConnectionTrait>(
    w: &Writer<'_>,
    txn: &C,
    errors: &mut [RowError],
    counts: &mut Counts,
    read: i64,
    prospects: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    errors.sort_by_key(|e| e.row_no);
    repo::add_errors(txn, w.run_id, errors).await?;
    counts.rows_read += read;
    counts.rows_bad += errors
        .iter()
        .map(|e| e.row_no)
        .collect::<HashSet<_>>()
        .len() as i64;
    counts.prospects_created += prospects;
    repo::progress(txn, w.run_id, counts, now).await?;
    Ok(())
}

pub(crate) fn row_error(
    row_no: i64,
    column: String,
    cell: &str,
    key: &str,
    arg: String,
) -> RowError {
    RowError {
        row_no,
        column,
        cell: cell.chars().take(200).collect(),
        reason_key: key.to_string(),
        reason_arg: arg,
    }
}

pub(crate) async fn write_events<C: consign_store::ConnectionTrait>(
    txn: &C,
    records: Vec<(i64, Record)>,
    errors: &mut Vec<RowError>,
    counts: &mut Counts,
) -> Result<()> {
    let events: Vec<(i64, String, TrackingEvent)> = records
        .into_iter()
        .filter_map(|(n, r)| match r {
            Record::Event { waybill, event } => Some((n, waybill, event)),
            _ => None,
        })
        .collect();
    let waybills: Vec<&str> = events.iter().map(|(_, w, _)| w.as_str()).collect();
    let ids = ship_repo::existing(txn, &waybills).await?;
    let mut rows = Vec::with_capacity(events.len());
    for (n, waybill, e) in &events {
        match ids.get(waybill) {
            Some(s) => rows.push((s.id, e.clone())),
            None => errors.push(row_error(
                *n,
                String::new(),
                waybill,
                "err.unknown_waybill",
                String::new(),
            )),
        }
    }
    let added = ship_repo::add_events_many(txn, &rows).await? as i64;
    counts.rows_new += added;
    counts.rows_unchanged += rows.len() as i64 - added;
    Ok(())
}

/// Invoices or payments: customers by code (unknown ones rejected or created as
/// prospects), the later row of a number wins, unchanged rows are not written.
/// Returns the prospects created.
pub(crate) async fn write_bills<C: consign_store::ConnectionTrait + 'static>(
    w: &mut Writer<'_>,
    txn: &C,
    code_header: &str,
    records: Vec<(i64, Record)>,
    errors: &mut Vec<RowError>,
    counts: &mut Counts,
    now: DateTime<Utc>,
) -> Result<i64> {
    // Customers.
    let (keep, prospects) = {
        let refs: Vec<(i64, &str, &str)> = records
            .iter()
            .map(|(n, r)| match r {
                Record::Invoice {
                    invoice,
                    customer_name,
                } => (*n, invoice.customer_code.as_str(), customer_name.as_str()),
                Record::Payment {
                    payment,
                    customer_name,
                } => (*n, payment.customer_code.as_str(), customer_name.as_str()),
                _ => (*n, "", ""),
            })
            .collect();
        let (keep, created) = w
            .resolve_codes(txn, &refs, code_header, errors, now)
            .await?;
        (keep, created.len() as i64)
    };
    let kept: Vec<(i64, Record)> = records
        .into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect();
    match w.kind {
        ImportKind::Invoices => {
            let rows: Vec<(i64, i64, Invoice)> = kept
                .into_iter()
                .filter_map(|(n, r)| match r {
                    Record::Invoice { invoice, .. } => w
                        .codes
                        .get(&invoice.customer_code)
                        .map(|id| (n, *id, invoice)),
                    _ => None,
                })
                .collect();
            let (keep, repeated) = later_wins(rows, |(_, _, i)| i.invoice_no.as_str());
            w.repeated += repeated;
            let nos: Vec<&str> = keep.iter().map(|(_, _, i)| i.invoice_no.as_str()).collect();
            let old: HashMap<String, bills::StoredInvoice> = bills::by_no(txn, &nos).await?;
            let mut writes = Vec::new();
            for (_, cid, inv) in &keep {
                w.revenue_sum += inv.amount_fen.get();
                let o = match old.get(&inv.invoice_no) {
                    Some(s) if s.customer_id == *cid && s.invoice == *inv => Outcome::Unchanged,
                    Some(_) => Outcome::Updated,
                    None => Outcome::New,
                };
                count(counts, Some(o));
                if o != Outcome::Unchanged {
                    writes.push((*cid, inv.clone()));
                }
            }
            let touched = bills::upsert_invoices(txn, &writes, now, w.app.tz()).await?;
            crate::credit::notify_crossings(w.app, txn, Some(&touched)).await?;
        }
        _ => {
            let rows: Vec<(i64, i64, Payment)> = kept
                .into_iter()
                .filter_map(|(n, r)| match r {
                    Record::Payment { payment, .. } => w
                        .codes
                        .get(&payment.customer_code)
                        .map(|id| (n, *id, payment)),
                    _ => None,
                })
                .collect();
            let (keep, repeated) = later_wins(rows, |(_, _, p)| p.payment_no.as_str());
            w.repeated += repeated;
            let inv_nos: Vec<&str> = keep
                .iter()
                .filter_map(|(_, _, p)| p.invoice_no.as_deref())
                .collect();
            let invoices = crate::billing::invoice_ids(txn, &inv_nos).await?;
            let nos: Vec<&str> = keep.iter().map(|(_, _, p)| p.payment_no.as_str()).collect();
            let old: HashMap<String, bills::StoredPayment> = bills::by_no(txn, &nos).await?;
            let header = ImportKind::Payments
                .fields()
                .iter()
                .find(|d| d.name == "invoice_no")
                .map(|d| d.aliases[0])
                .unwrap_or("invoice_no");
            let mut writes = Vec::new();
            for (n, cid, mut p) in keep {
                let invoice_id = match &p.invoice_no {
                    None => None,
                    Some(no) => match invoices.get(no) {
                        Some((iid, icid)) if *icid == cid => Some(*iid),
                        _ => {
                            errors.push(row_error(
                                n,
                                header.to_string(),
                                no,
                                "err.unknown_invoice",
                                String::new(),
                            ));
                            continue;
                        }
                    },
                };
                w.revenue_sum += p.amount_fen.get();
                let stored = old.get(&p.payment_no);
                if let Some(s) = stored {
                    // The stored record names the customer by its code as stored.
                    p.customer_code = s.payment.customer_code.clone();
                }
                let o = match stored {
                    Some(s)
                        if s.customer_id == cid && s.invoice_id == invoice_id && s.payment == p =>
                    {
                        Outcome::Unchanged
                    }
                    Some(_) => Outcome::Updated,
                    None => Outcome::New,
                };
                count(counts, Some(o));
                if o != Outcome::Unchanged {
                    writes.push(PaymentWrite {
                        customer_id: cid,
                        invoice_id,
                        payment: p,
                    });
                }
            }
            let touched = bills::upsert_payments(txn, &writes, now, w.app.tz()).await?;
            crate::credit::notify_crossings(w.app, txn, Some(&touched)).await?;
        }
    }
    Ok(prospects)
}

/// The rows to keep (the last of each key, in file order) and how many were repeats.
pub(crate) fn later_wins<T>(rows: Vec<T>, key: impl Fn(&T) -> &str) -> (Vec<T>, i64) {
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        last.insert(key(r), i);
    }
    let keep: HashSet<usize> = last.into_values().collect();
    let repeated = (rows.len() - keep.len()) as i64;
    let kept = rows
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, r)| r)
        .collect();
    (kept, repeated)
}

/// The import field a use case's field error belongs to.
pub(crate) fn import_field(api_field: &str) -> &str {
    match api_field {
        "owner_id" => "owner",
        "code" => "customer_code",
        f if f.starts_with("contacts[0].") => match &f["contacts[0].".len()..] {
            "name" => "contact_name",
            "title" => "contact_title",
            "phone" => "contact_phone",
            "email" => "contact_email",
            _ => "contact_name",
        },
        f => f,
    }
}

/// Maps a use case's refusal of one row to its row errors; other errors end the import.
pub(crate) fn refusal(
    e: AppError,
    row_no: i64,
    header: &dyn Fn(&str) -> String,
    cell: &dyn Fn(&str) -> String,
) -> Result<Vec<RowError>> {
    match e {
        AppError::Validation(fe) => Ok(fe
            .0
            .iter()
            .map(|f| {
                let field = import_field(&f.field);
                row_error(row_no, header(field), &cell(field), f.code, String::new())
            })
            .collect()),
        AppError::Conflict { field, code } => {
            let field = import_field(&field);
            Ok(vec![row_error(
                row_no,
                header(field),
                &cell(field),
                code,
                String::new(),
            )])
        }
        // The customers it collided with and by which rule, as data: the report names
        // them in the reader's language (see `imports::reason`).
        AppError::Duplicates(hits) => Ok(vec![row_error(
            row_no,
            header("name"),
            &cell("name"),
            "err.import_duplicate",
            serde_json::to_string(
                &hits
                    .iter()
                    .map(|h| crate::imports::Collision {
                        code: h.id.map(|_| h.code.clone()),
                        name: h.id.map(|_| h.name.clone()),
                        rules: h.reasons.iter().map(|r| r.to_string()).collect(),
                    })
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_default(),
        )]),
        AppError::Forbidden | AppError::NotFound => Ok(vec![row_error(
            row_no,
            header("customer_code"),
            &cell("customer_code"),
            "err.customer_out_of_scope",
            String::new(),
        )]),
        other => Err(other),
    }
}

/// The user an owner cell names (username, else display name), remembered per run.
pub(crate) async fn owner_id(w: &mut Writer<'_>, text: &str) -> Result<Option<i64>> {
    if let Some(id) = w.owners.get(text) {
        return Ok(*id);
    }
    let users = consign_store::users::all_users(&w.app.db.conn).await?;
    let id = users
        .iter()
        .find(|u| u.username == text)
        .or_else(|| users.iter().find(|u| u.display_name == text))
        .map(|u| u.id);
    w.owners.insert(text.to_string(), id);
    Ok(id)
}

pub(crate) async fn write_customer(
    w: &mut Writer<'_>,
    row_no: i64,
    row: CustomerRow,
    errors: &mut Vec<RowError>,
) -> Result<Option<Outcome>> {
    let CustomerRow {
        code,
        mut input,
        owner,
        contact,
        cells,
    } = row;
    let fields = ImportKind::Customers.fields();
    let header = |f: &str| -> String {
        fields
            .iter()
            .find(|d| d.name == f)
            .map(|d| d.aliases[0].to_string())
            .unwrap_or_else(|| f.to_string())
    };
    let cell = |f: &str| cells.get(f).cloned().unwrap_or_default();
    if let Some(o) = &owner {
        match owner_id(w, o).await? {
            Some(id) => input.owner_id = Some(Some(id)),
            None => {
                errors.push(row_error(
                    row_no,
                    header("owner"),
                    o,
                    "err.unknown_owner",
                    String::new(),
                ));
                return Ok(None);
            }
        }
    }
    let existing = consign_store::customers::ids_by_code(&w.app.db.conn, &[code.as_str()])
        .await?
        .get(&code)
        .copied();
    let result = match existing {
        Some(id) => {
            let current = match customers::get(w.app, w.actor, CustomerId::trusted(id)).await {
                Ok(d) => d.customer,
                Err(e) => {
                    errors.extend(refusal(e, row_no, &header, &cell)?);
                    return Ok(None);
                }
            };
            let customer = if changes(&current, &input) {
                customers::update(w.app, w.actor, CustomerId::trusted(id), &input)
                    .await
                    .map(|_| Outcome::Updated)
            } else {
                Ok(Outcome::Unchanged)
            };
            // The row's contact joins the customer's (or changes the one of that name).
            match (customer, contact) {
                (Ok(o), Some(k)) => {
                    let before = errors.len();
                    let code_header = header("customer_code");
                    let k = write_contact(w, row_no, &code, &code_header, k, errors).await?;
                    if errors.len() > before {
                        return Ok(None);
                    }
                    Ok(match (o, k) {
                        (Outcome::Unchanged, Some(Outcome::Unchanged)) => Outcome::Unchanged,
                        _ => Outcome::Updated,
                    })
                }
                (r, _) => r,
            }
        }
        None => {
            input.code = Some(code.clone());
            input.confirm_duplicates = w.allow_duplicates;
            let new = NewCustomer {
                customer: input,
                contacts: contact.into_iter().collect(),
            };
            customers::create(w.app, w.actor, &new).await.map(|d| {
                w.codes.insert(code.clone(), d.customer.id.get());
                Outcome::New
            })
        }
    };
    match result {
        Ok(o) => Ok(Some(o)),
        Err(e) => {
            errors.extend(refusal(e, row_no, &header, &cell)?);
            Ok(None)
        }
    }
}

/// Whether writing `input` over `c` would change any field the file gives.
pub(crate) fn changes(c: &customers::CustomerView, input: &CustomerInput) -> bool {
    let differs =
        |new: &Option<String>, old: Option<&str>| new.as_deref().is_some_and(|n| Some(n) != old);
    differs(&input.name, Some(c.name.as_str()))
        || differs(&input.short_name, c.short_name.as_deref())
        || differs(&input.kind, Some(c.kind.as_str()))
        || differs(&input.gov_level, c.gov_level.map(|g| g.as_str()))
        || differs(&input.industry, c.industry.as_deref())
        || differs(&input.province, c.province.as_deref())
        || differs(&input.city, c.city.as_deref())
        || differs(&input.address, c.address.as_deref())
        || differs(&input.goods_types, c.goods_types.as_deref())
        || differs(&input.data_source, Some(c.data_source.as_str()))
        || differs(&input.status, Some(c.status.as_str()))
        || differs(&input.uscc, c.uscc.as_deref())
        || differs(&input.notes, c.notes.as_deref())
        || input.owner_id.is_some_and(|o| o != c.owner_id)
        || input.service_modes.as_ref().is_some_and(|m| {
            let mut a: Vec<&str> = m.iter().map(String::as_str).collect();
            let mut b: Vec<&str> = c.service_modes.iter().map(|m| m.as_str()).collect();
            a.sort_unstable();
            a.dedup();
            b.sort_unstable();
            a != b
        })
        || input.tags.as_ref().is_some_and(|t| {
            let mut a: Vec<&str> = t.iter().map(String::as_str).collect();
            let mut b: Vec<&str> = c.tags.iter().map(String::as_str).collect();
            a.sort_unstable();
            a.dedup();
            b.sort_unstable();
            a != b
        })
}

pub(crate) async fn write_contact(
    w: &mut Writer<'_>,
    row_no: i64,
    code: &str,
    code_header: &str,
    input: ContactInput,
    errors: &mut Vec<RowError>,
) -> Result<Option<Outcome>> {
    let fields = ImportKind::Contacts.fields();
    let header = |f: &str| -> String {
        fields
            .iter()
            .find(|d| d.name == f)
            .map(|d| d.aliases[0].to_string())
            .unwrap_or_else(|| f.to_string())
    };
    let cell = |f: &str| -> String {
        match f {
            "name" => input.name.clone(),
            "title" => input.title.clone(),
            "phone" => input.phone.clone(),
            "email" => input.email.clone(),
            "wechat" => input.wechat.clone(),
            "customer_code" => Some(code.to_string()),
            _ => None,
        }
        .unwrap_or_default()
    };
    let id = match w.codes.get(code) {
        Some(id) => Some(*id),
        None => {
            let found = consign_store::customers::ids_by_code(&w.app.db.conn, &[code]).await?;
            if let Some(id) = found.get(code) {
                w.codes.insert(code.to_string(), *id);
            }
            found.get(code).copied()
        }
    };
    let Some(id) = id else {
        errors.push(row_error(
            row_no,
            code_header.to_string(),
            code,
            "err.unknown_customer",
            String::new(),
        ));
        return Ok(None);
    };
    let detail = match customers::get(w.app, w.actor, CustomerId::trusted(id)).await {
        Ok(d) => d,
        Err(e) => {
            errors.extend(refusal(e, row_no, &header, &cell)?);
            return Ok(None);
        }
    };
    let name = input.name.clone().unwrap_or_default();
    let same = detail.contacts.iter().find(|k| k.name == name);
    let result = match same {
        Some(k) => {
            let current = customers::contact_in_full(w.app, CustomerId::trusted(id), k.id).await?;
            let differs = |new: &Option<String>, old: &Option<String>| {
                new.as_ref().is_some_and(|n| Some(n) != old.as_ref())
            };
            if !(differs(&input.title, &current.title)
                || differs(&input.phone, &current.phone)
                || differs(&input.email, &current.email)
                || differs(&input.wechat, &current.wechat)
                || input.is_primary.is_some_and(|p| p != current.is_primary))
            {
                return Ok(Some(Outcome::Unchanged));
            }
            customers::update_contact(w.app, w.actor, CustomerId::trusted(id), k.id, &input)
                .await
                .map(|_| Outcome::Updated)
        }
        None => customers::add_contact(w.app, w.actor, CustomerId::trusted(id), &input)
            .await
            .map(|_| Outcome::New),
    };
    match result {
        Ok(o) => Ok(Some(o)),
        Err(e) => {
            errors.extend(refusal(e, row_no, &header, &cell)?);
            Ok(None)
        }
    }
}
