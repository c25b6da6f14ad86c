//! Writing a customers file in bulk: rows grouped by customer code (one row per contact
//! is one customer with several contacts), new customers validated, checked for likely
//! duplicates and written a few statements per table per batch; customers that exist
//! already are changed through the archive's own use case, a row at a time.

#[allow(unused_imports)]
use super::*;
use crate::customers::{
    insert_customers_in, resolve_owner, validate_contact, validate_input, CreateJob,
};
use consign_domain::customer::CustomerCode;
use consign_domain::FieldErrors;

/// New customers written together (their search keys sorted together).
const INSERT_CHUNK: usize = 10_000;
/// Rows a customers import's transaction holds at most. The other writers of the process
/// wait for its commit (SQLite has one writer), so it stays at a few seconds of work
/// (about 7 s on a 2-core machine), though every commit costs about a second of rewriting
/// the search-key index's pages (one commit per batch of 10,000 rows: 54 s for 100,000
/// customers; one for the whole file: 30 s; see docs/performance.md).
const SEGMENT_ROWS: i64 = 50_000;

/// One customer of the file: its rows in file order (the last row's customer fields
/// win; every row may add a contact).
struct Group {
    code: String,
    rows: Vec<(i64, CustomerRow)>,
}

/// What a customers import carries from batch to batch: the open transaction (it spans
/// batches: every commit rewrites the pages of the search-key index that its keys
/// touched, nearly all of them) and the rows of the last customer of the batch before
/// (its rows may go on in this one).
#[derive(Default)]
pub(crate) struct CustomersRun {
    txn: Option<consign_store::BulkTxn>,
    rows: i64,
    held: Vec<(i64, CustomerRow)>,
    code_header: String,
    /// Owners asked for → the owner a new customer gets, or why not.
    owner_ids: HashMap<Option<Option<i64>>, std::result::Result<Option<i64>, FieldErrors>>,
    /// How many customers hold each name key met so far (see `kinds::duplicates`),
    /// counted once and followed as the run adds customers.
    pub(crate) key_counts: HashMap<String, u32>,
    /// The customers holding the name keys looked up so far.
    pub(crate) holders: super::Holders,
    /// New customers written, and how many there were at the last statistics refresh.
    written: u64,
    analyzed: u64,
}

/// Writes one batch of a customers file (`last`: the file has ended).
pub(crate) async fn write_customers(
    w: &mut Writer<'_>,
    code_header: &str,
    records: Vec<(i64, CustomerRow)>,
    errors: &mut Vec<RowError>,
    counts: &mut Counts,
    read: i64,
    last: bool,
) -> Result<()> {
    let now = Utc::now();
    let mut records = {
        let mut all = std::mem::take(&mut w.customers.held);
        all.extend(records);
        all
    };
    if !last {
        // The last customer's rows wait for the next batch, which may hold more of them.
        let tail = records.last().map(|(_, r)| r.code.clone());
        if let Some(tail) = tail {
            let keep = records
                .iter()
                .rposition(|(_, r)| r.code != tail)
                .map_or(0, |i| i + 1);
            w.customers.held = records.split_off(keep);
            w.customers.code_header = code_header.to_string();
        }
    }
    // Codes as stored (upper-case); a code that is not one is the row's error.
    let mut groups: Vec<Group> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (row_no, mut r) in records {
        let code = match CustomerCode::parse(&r.code) {
            Ok(c) => c.into_string(),
            Err(key) => {
                errors.push(row_error(
                    row_no,
                    code_header.to_string(),
                    &r.code,
                    key,
                    String::new(),
                ));
                continue;
            }
        };
        r.code = code.clone();
        match at.get(&code) {
            Some(&i) => groups[i].rows.push((row_no, r)),
            None => {
                at.insert(code.clone(), groups.len());
                groups.push(Group {
                    code,
                    rows: vec![(row_no, r)],
                });
            }
        }
    }
    let codes: Vec<&str> = groups
        .iter()
        .map(|g| g.code.as_str())
        .filter(|c| !w.codes.contains_key(*c))
        .collect();
    let found = consign_store::customers::ids_by_code(&w.app.db.conn, &codes).await?;
    w.codes.extend(found);
    let (old, new): (Vec<Group>, Vec<Group>) = groups
        .into_iter()
        .partition(|g| w.codes.contains_key(&g.code));
    // Existing customers: through the use cases (scope, archive state, audit of the
    // change), with the run's customers committed and no transaction open (SQLite has
    // one writer).
    if !old.is_empty() {
        commit(w).await?;
    }
    for g in old {
        for (row_no, r) in g.rows {
            let outcome = write_customer(w, row_no, r, errors).await?;
            count(counts, outcome);
        }
    }
    let t = std::time::Instant::now();
    // The import's bulk transaction: PostgreSQL takes the search keys by COPY.
    let txn = match w.customers.txn.take() {
        Some(txn) => txn,
        None => w.bulk.begin_bulk().await?,
    };
    let accepted = check_new(w, &txn, new, errors).await?;
    let t_check = t.elapsed();
    let mut jobs = Vec::with_capacity(accepted.len());
    let mut rows_of = Vec::with_capacity(accepted.len());
    for (code, job, rows) in accepted {
        jobs.push(job);
        rows_of.push((code, rows));
    }
    let mut done = 0;
    for chunk in jobs.chunks(INSERT_CHUNK) {
        let ids = insert_customers_in(w.app, &txn, chunk, now).await?;
        for (((code, rows), id), job) in
            rows_of[done..done + chunk.len()].iter().zip(ids).zip(chunk)
        {
            w.codes.insert(code.clone(), id);
            w.customers
                .holders
                .add(id, &job.draft.name, job.draft.short_name.as_deref());
            counts.rows_new += *rows;
        }
        done += chunk.len();
    }
    let t_insert = t.elapsed() - t_check;
    // The tables this run grows: fresh statistics each time it has doubled them.
    w.customers.written += jobs.len() as u64;
    if w.customers.written >= 2 * w.customers.analyzed.max(500) {
        consign_store::dialect::refresh_statistics(&txn, &["customers", "search_keys", "contacts"])
            .await?;
        w.customers.analyzed = w.customers.written;
    }
    finish_batch(w, &txn, errors, counts, read, 0, now).await?;
    w.customers.txn = Some(txn);
    w.customers.rows += read;
    if last || w.customers.rows >= w.app.settings.import_commit_rows.min(SEGMENT_ROWS) {
        commit(w).await?;
    }
    tracing::debug!(
        check_ms = t_check.as_millis() as u64,
        insert_ms = t_insert.as_millis() as u64,
        total_ms = t.elapsed().as_millis() as u64,
        "customers batch"
    );
    Ok(())
}

/// Commits the run's open transaction, if any: its customers, bad rows and counts.
async fn commit(w: &mut Writer<'_>) -> Result<()> {
    if let Some(txn) = w.customers.txn.take() {
        let t = std::time::Instant::now();
        txn.commit().await?;
        tracing::debug!(
            rows = w.customers.rows,
            commit_ms = t.elapsed().as_millis() as u64,
            "customers committed"
        );
    }
    w.customers.rows = 0;
    Ok(())
}

/// The end of a customers file: the rows held back, then the last commit.
pub(crate) async fn finish_customers(w: &mut Writer<'_>) -> Result<()> {
    if w.customers.held.is_empty() && w.customers.txn.is_none() {
        return Ok(());
    }
    let header = w.customers.code_header.clone();
    let mut errors = Vec::new();
    let mut counts = w.counts.clone();
    write_customers(w, &header, Vec::new(), &mut errors, &mut counts, 0, true).await?;
    w.counts = counts;
    let room = 100usize.saturating_sub(w.first_errors.len());
    w.first_errors.extend(errors.into_iter().take(room));
    Ok(())
}

/// The header and cell of a field of a customers row, for its errors.
fn header(f: &str) -> String {
    ImportKind::Customers
        .fields()
        .iter()
        .find(|d| d.name == f)
        .map(|d| d.aliases[0].to_string())
        .unwrap_or_else(|| f.to_string())
}

/// Validates the new customers and leaves out the likely duplicates: `(code, job, rows)`
/// of the ones to write; the others' rows get their errors.
async fn check_new<C: consign_store::ConnectionTrait>(
    w: &mut Writer<'_>,
    txn: &C,
    groups: Vec<Group>,
    errors: &mut Vec<RowError>,
) -> Result<Vec<(String, CreateJob, i64)>> {
    let mut valid: Vec<(Group, CreateJob)> = Vec::with_capacity(groups.len());
    for g in groups {
        if let Some(job) = validate_group(w, &g, errors).await? {
            valid.push((g, job));
        }
    }
    let collisions = if w.allow_duplicates {
        vec![Vec::new(); valid.len()]
    } else {
        let probes: Vec<Newcomer> = valid
            .iter()
            .map(|(g, job)| Newcomer::of(w.app, &g.code, job))
            .collect();
        super::duplicates::check(w, txn, &probes).await?
    };
    let mut out = Vec::with_capacity(valid.len());
    for ((g, job), hits) in valid.into_iter().zip(collisions) {
        if hits.is_empty() {
            out.push((g.code, job, g.rows.len() as i64));
            continue;
        }
        let arg = serde_json::to_string(&hits).unwrap_or_default();
        for (row_no, _) in &g.rows {
            errors.push(row_error(
                *row_no,
                header("customer_code"),
                &g.code,
                "err.import_duplicate",
                arg.clone(),
            ));
        }
    }
    Ok(out)
}

/// A new customer's rows as one create: the last row's fields, every row's contact
/// (one per name), the owner named; `None` (with every row's errors) when any is wrong.
async fn validate_group(
    w: &mut Writer<'_>,
    g: &Group,
    errors: &mut Vec<RowError>,
) -> Result<Option<CreateJob>> {
    let mut own: Vec<(i64, Vec<RowError>)> = Vec::new();
    let (last_no, last) = g.rows.last().expect("a group has a row");
    let cell = |r: &CustomerRow, f: &str| r.cells.get(f).cloned().unwrap_or_default();
    let mut input = last.input.clone();
    let mut bad: Vec<RowError> = Vec::new();
    if let Some(o) = &last.owner {
        match owner_id(w, o).await? {
            Some(id) => input.owner_id = Some(Some(id)),
            None => bad.push(row_error(
                *last_no,
                header("owner"),
                o,
                "err.unknown_owner",
                String::new(),
            )),
        }
    }
    let draft = match validate_input(&input, None) {
        Ok(d) => Some(d),
        Err(e) => {
            bad.extend(refusal(e, *last_no, &header, &|f| cell(last, f))?);
            None
        }
    };
    let owner = match w.customers.owner_ids.get(&input.owner_id) {
        Some(o) => o.clone(),
        None => {
            let o = match resolve_owner(w.app, w.actor, input.owner_id, None, true).await {
                Ok(o) => Ok(o),
                Err(AppError::Validation(e)) => Err(e),
                Err(other) => return Err(other),
            };
            w.customers.owner_ids.insert(input.owner_id, o.clone());
            o
        }
    };
    let owner = match owner {
        Ok(o) => o,
        Err(e) => {
            bad.extend(refusal(AppError::Validation(e), *last_no, &header, &|f| {
                cell(last, f)
            })?);
            None
        }
    };
    if !bad.is_empty() {
        own.push((*last_no, std::mem::take(&mut bad)));
    }
    // Contacts: one per name, the later row's wins.
    let mut contacts = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (row_no, r) in &g.rows {
        let Some(k) = &r.contact else { continue };
        match validate_contact(k, None, "contacts[0].") {
            Ok(d) => match names.get(&d.name) {
                Some(&i) => contacts[i] = d,
                None => {
                    names.insert(d.name.clone(), contacts.len());
                    contacts.push(d);
                }
            },
            Err(e) => own.push((
                *row_no,
                refusal(AppError::Validation(e), *row_no, &header, &|f| cell(r, f))?,
            )),
        }
    }
    if own.is_empty() {
        if let Some(draft) = draft {
            return Ok(Some(CreateJob {
                actor: w.actor.clone(),
                code: Some(CustomerCode::trusted(g.code.clone())),
                draft,
                owner,
                contacts,
            }));
        }
    }
    // The customer is not written: rows without an error of their own say which did.
    let first_bad = own.iter().map(|(n, _)| *n).min().unwrap_or(*last_no);
    for (row_no, r) in &g.rows {
        match own.iter_mut().find(|(n, _)| n == row_no) {
            Some((_, es)) => errors.append(es),
            None => errors.push(row_error(
                *row_no,
                header("customer_code"),
                &cell(r, "customer_code"),
                "err.import_customer_row_refused",
                first_bad.to_string(),
            )),
        }
    }
    Ok(None)
}

/// What the duplicate rules look at in a new customer.
pub(crate) struct Newcomer {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) short_name: Option<String>,
    pub(crate) norm: String,
    pub(crate) uscc: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) phone_hashes: Vec<String>,
}

impl Newcomer {
    fn of(app: &crate::App, code: &str, job: &CreateJob) -> Newcomer {
        let mut phone_hashes: Vec<String> = job
            .contacts
            .iter()
            .filter_map(|k| k.phone.as_ref().map(|p| app.vault.phone_hash(p)))
            .collect();
        phone_hashes.sort();
        phone_hashes.dedup();
        Newcomer {
            code: code.to_string(),
            name: job.draft.name.clone(),
            short_name: job.draft.short_name.clone(),
            norm: consign_domain::search::normalize_name(&job.draft.name),
            uscc: job.draft.uscc.clone(),
            city: job.draft.city.clone(),
            phone_hashes,
        }
    }
}
