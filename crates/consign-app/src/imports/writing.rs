//! Writing a run's rows: segments, rollups, counts; PostgreSQL's pipelined commits.

#[allow(unused_imports)]
use super::*;
use consign_domain::customer::CustomerId;
use consign_domain::i18n::Arg;

/// Imports a shipment file. Bad rows are reported, good ones written; a whole-file
/// problem (no header, a required column missing, an unreadable workbook) ends the run
/// with what was read before it kept.
pub async fn import_file(
    app: &App,
    actor: &Actor,
    path: &Path,
    opts: ImportOptions,
    progress: Arc<ImportProgress>,
) -> Result<ImportReport> {
    let run_id = start_run(app, actor, &opts).await?;
    run_import(app, actor, run_id, path, opts, progress).await
}

/// Whether the actor may import this kind of file (checked before an upload is
/// received, and again when the run starts).
pub fn authorize(actor: &Actor, kind: ImportKind) -> Result<()> {
    let allowed = match kind {
        ImportKind::Customers | ImportKind::Contacts => actor.role.can_edit_customers(),
        _ => actor.role.can_write_operations(),
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Checks that the actor may import this kind of file with these options and records
/// the run as started; returns its id (see [`run_import`]).
pub async fn start_run(app: &App, actor: &Actor, opts: &ImportOptions) -> Result<i64> {
    let kind = opts.kind.unwrap_or(ImportKind::Shipments);
    authorize(actor, kind)?;
    opts.profile
        .check(kind)
        .map_err(|e| AppError::internal(format!("import profile: {e}")))?;
    let unknown = opts
        .unknown_customers
        .or(opts.profile.unknown_customers)
        .unwrap_or_default();
    let options = serde_json::json!({
        "unknown_customers": unknown,
        "encoding": opts.encoding.map(|e| e.label()),
        "profile": &opts.profile,
        "allow_duplicates": opts.allow_duplicates,
    })
    .to_string();
    Ok(repo::start(
        &app.db.conn,
        kind.as_str(),
        &opts.file_name,
        actor.id,
        &options,
        Utc::now(),
    )
    .await?)
}

/// Reads the file of a started run to its end, writing as it goes.
pub async fn run_import(
    app: &App,
    actor: &Actor,
    run_id: i64,
    path: &Path,
    opts: ImportOptions,
    progress: Arc<ImportProgress>,
) -> Result<ImportReport> {
    let kind = opts.kind.unwrap_or(ImportKind::Shipments);
    let unknown = opts
        .unknown_customers
        .or(opts.profile.unknown_customers)
        .unwrap_or_default();
    let started = Instant::now();
    let tz = app.tz();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(1);
    let parse = {
        let path = path.to_path_buf();
        let opts = opts.clone();
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || parse_file(&path, &opts, tz, progress, tx))
    };
    let bulk = app.db.bulk().await?;
    let mut w = Writer {
        app,
        kind,
        allow_duplicates: opts.allow_duplicates,
        bulk: bulk.clone(),
        actor,
        run_id,
        unknown,
        vis: crate::customers::visibility(app, actor).await?,
        hidden_codes: HashSet::new(),
        refused: HashMap::new(),
        codes: HashMap::new(),
        owners: HashMap::new(),
        customers: Default::default(),
        counts: Counts::default(),
        repeated: 0,
        revenue_sum: 0,
        first_errors: Vec::new(),
        segment: None,
        finishing: None,
        spare_rollups: HashMap::new(),
        credit: crate::credit::Book::blocking(&app.db.conn).await?,
    };
    let mut failure = None;
    let mut waited = std::time::Duration::ZERO;
    loop {
        let tw = Instant::now();
        let Some(batch) = rx.recv().await else { break };
        waited += tw.elapsed();
        let n = batch.read as u64;
        if let Err(e) = w.write(batch).await {
            failure = Some(e);
            break;
        }
        progress.done.fetch_add(n, Ordering::Relaxed);
    }
    if failure.is_none() && kind == ImportKind::Customers {
        failure = crate::imports::kinds::finish_customers(&mut w).await.err();
    }
    if failure.is_none() {
        failure = w.commit_segment().await.err();
    }
    drop(w.segment.take());
    // The segment committing in the background ends before the run does, whatever
    // happened to the one after it.
    if let Err(e) = w.wait_finishing().await {
        failure.get_or_insert(e);
    }
    tracing::debug!(
        waited_ms = waited.as_millis() as u64,
        "writer waited for the reader"
    );
    drop(rx);
    if let Err(e) = bulk.checkpoint().await {
        tracing::warn!(error = %e, "checkpoint after import");
    }
    if bulk.sqlite_path.is_some() {
        let _ = bulk.conn.close().await;
    }
    let end = parse
        .await
        .map_err(|e| AppError::caused("import reader", e))?;
    if let Some(e) = failure {
        let _ = repo::finish(&app.db.conn, run_id, "failed", &e.to_string(), Utc::now()).await;
        return Err(e);
    }
    let (status, message) = match &end.fault {
        Some(f) => {
            let e = RowError {
                row_no: 0,
                column: String::new(),
                cell: String::new(),
                reason_key: f.key.to_string(),
                reason_arg: f.arg.clone(),
            };
            let txn = app.db.begin_write().await?;
            repo::add_errors(&txn, run_id, std::slice::from_ref(&e)).await?;
            txn.commit().await?;
            w.first_errors.insert(0, e);
            ("failed", format!("{}|{}", f.key, f.arg))
        }
        None => ("finished", String::new()),
    };
    let likely_duplicates = duplicate_rules(app, run_id).await?;
    let notes = RunNotes {
        likely_duplicates,
        total_check: end.file_total.map(|t| TotalCheck {
            file_fen: t,
            rows_fen: w.revenue_sum,
        }),
        unknown_products: end
            .unknown_products
            .iter()
            .map(|(name, rows)| UnknownProduct {
                name: name.clone(),
                rows: *rows,
            })
            .collect(),
    };
    // The run's end, its notes and its audit row together: kind, file, counts, who.
    let txn = app.db.begin_write().await?;
    if notes != RunNotes::default() {
        let json = serde_json::to_string(&notes).map_err(AppError::from_err)?;
        repo::set_notes(&txn, run_id, &json).await?;
    }
    repo::finish(&txn, run_id, status, &message, Utc::now()).await?;
    crate::credit::notify_crossings(app, &txn, None).await?;
    let c = &w.counts;
    let after = serde_json::json!({
        "kind": kind.as_str(), "file_name": opts.file_name, "status": status, "counts": c,
    });
    crate::audit::record(
        &txn,
        actor,
        crate::audit::Entry {
            action: "import.run",
            entity_type: "import_run",
            entity_id: run_id.to_string(),
            customer_id: None,
            summary: None,
            said: crate::audit::said(
                "audit.summary.import_run",
                vec![
                    Arg::key(format!("import.kind.{}", kind.as_str())),
                    Arg::text(&opts.file_name),
                    Arg::key(format!("import.status.{status}")),
                    Arg::text(c.rows_new),
                    Arg::text(c.rows_updated),
                    Arg::text(c.rows_unchanged),
                    Arg::text(c.rows_bad),
                ],
            ),
            before: None,
            after: Some(after.clone()),
        },
    )
    .await?;
    let finished = crate::webhooks::Event::general("import.finished", after, "run_id", run_id);
    crate::webhooks::emit(&txn, finished).await?;
    txn.commit().await?;
    // Classes follow the data: shipments and new customers change them. The import
    // stands whatever happens here; the nightly run catches up.
    let changed = w.counts.rows_new + w.counts.rows_updated + w.counts.prospects_created > 0;
    if changed && matches!(kind, ImportKind::Shipments | ImportKind::Customers) {
        if let Err(e) =
            crate::classification::recompute(app, &Actor::system("import"), None, "import").await
        {
            tracing::warn!(run_id, error = %e, "classification after the import failed");
        }
    }
    Ok(ImportReport {
        run_id,
        counts: w.counts,
        repeated: w.repeated,
        total_check: end.file_total.map(|t| (t, w.revenue_sum)),
        errors: w.first_errors,
        seconds: started.elapsed().as_secs_f64(),
        fault: end.fault,
        encoding: end.encoding,
        missing: end.missing,
        notes,
    })
}

/// The rows a run refused as likely duplicates, by rule (a row may match by several).
async fn duplicate_rules(app: &App, run_id: i64) -> Result<Vec<DuplicateRule>> {
    let args = repo::error_args(&app.db.conn, run_id, "err.import_duplicate").await?;
    let mut by_rule: BTreeMap<String, i64> = BTreeMap::new();
    for a in &args {
        let hits: Vec<Collision> = serde_json::from_str(a).unwrap_or_default();
        let rules: std::collections::BTreeSet<&String> =
            hits.iter().flat_map(|h| h.rules.iter()).collect();
        for r in rules {
            *by_rule.entry(r.clone()).or_default() += 1;
        }
    }
    let mut out: Vec<DuplicateRule> = by_rule
        .into_iter()
        .map(|(rule, rows)| DuplicateRule { rule, rows })
        .collect();
    if !args.is_empty() {
        out.insert(
            0,
            DuplicateRule {
                rule: String::new(),
                rows: args.len() as i64,
            },
        );
    }
    Ok(out)
}

pub(crate) struct Writer<'a> {
    pub(crate) app: &'a App,
    pub(crate) kind: ImportKind,
    /// Customers import: create rows that look like existing customers anyway.
    pub(crate) allow_duplicates: bool,
    /// The import's own connection (see `Db::bulk`).
    pub(crate) bulk: consign_store::Db,
    pub(crate) actor: &'a Actor,
    pub(crate) run_id: i64,
    pub(crate) unknown: UnknownCustomers,
    /// The customers the importing user may act on: codes outside it are refused, and
    /// so are waybills that belong to a customer outside it (never moved).
    pub(crate) vis: consign_store::customers::Visibility,
    /// Codes of existing customers outside `vis`, met so far.
    pub(crate) hidden_codes: HashSet<String>,
    /// Codes a customers import refused as likely duplicates → the error's argument.
    pub(crate) refused: HashMap<String, String>,
    /// Customer code → id, for codes met so far.
    pub(crate) codes: HashMap<String, i64>,
    /// Owner cells (customers import) → user id, for cells met so far.
    pub(crate) owners: HashMap<String, Option<i64>>,
    /// Customers import: what it carries from batch to batch.
    pub(crate) customers: crate::imports::kinds::CustomersRun,
    pub(crate) counts: Counts,
    pub(crate) repeated: i64,
    pub(crate) revenue_sum: i64,
    pub(crate) first_errors: Vec<RowError>,
    /// The open transaction of a shipment import, with the rollup changes of the rows it
    /// wrote (applied when it commits).
    pub(crate) segment: Option<Segment>,
    /// PostgreSQL: the previous segment, applying its rollups and committing on its own
    /// connection while this one's rows are written.
    pub(crate) finishing: Option<Finishing>,
    /// The last segment's rollup map, emptied, for the next one.
    pub(crate) spare_rollups: HashMap<(i64, i32), consign_domain::shipment::DayFigures>,
    /// The credit accounts that can hold shipments, with the exposure this run adds.
    pub(crate) credit: crate::credit::Book,
}

pub(crate) type Rollups = HashMap<(i64, i32), consign_domain::shipment::DayFigures>;

/// A segment that is applying its rollup changes and committing in the background, and
/// what the next segment must not touch before it has committed: its waybill numbers (a
/// later row of the same waybill must see the earlier one) and the prospects it created
/// (the next segment's rows may only name customers its own transaction can see).
pub(crate) struct Finishing {
    pub(crate) done: tokio::task::JoinHandle<Result<Rollups>>,
    pub(crate) waybills: HashSet<u64>,
    pub(crate) created: HashSet<i64>,
}

pub(crate) fn waybill_hash(w: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(w)
}

/// One transaction of a shipment import: several batches of rows, and their rollup
/// changes summed per customer-day, written once at the end (a customer-day that several
/// batches touch is written once instead of once per batch).
pub(crate) struct Segment {
    pub(crate) txn: consign_store::BulkTxn,
    pub(crate) rollups: Rollups,
    pub(crate) rows: i64,
    /// PostgreSQL (see [`Finishing`]): hashes of the waybill numbers written, and the
    /// prospects created.
    pub(crate) waybills: HashSet<u64>,
    pub(crate) created: HashSet<i64>,
}

impl Writer<'_> {
    /// Which of these rows (row number, customer code, customer name) go on: codes known
    /// or found go on; unknown ones are reported (reject) or created as prospects named
    /// from the customer-name column (create). Returns a flag per row and the ids of the
    /// prospects created.
    pub(crate) async fn resolve_codes<C: consign_store::ConnectionTrait + 'static>(
        &mut self,
        txn: &C,
        rows: &[(i64, &str, &str)],
        code_header: &str,
        errors: &mut Vec<RowError>,
        now: chrono::DateTime<Utc>,
    ) -> Result<(Vec<bool>, Vec<i64>)> {
        let mut unseen: Vec<&str> = rows
            .iter()
            .map(|r| r.1)
            .filter(|c| !self.codes.contains_key(*c) && !self.hidden_codes.contains(*c))
            .collect();
        unseen.sort_unstable();
        unseen.dedup();
        if !unseen.is_empty() {
            let mut found = consign_store::customers::ids_by_code(txn, &unseen).await?;
            let hidden = customers::outside(txn, &self.vis, found.values().copied()).await?;
            found.retain(|code, id| {
                let out = hidden.contains(id);
                if out {
                    self.hidden_codes.insert(code.clone());
                }
                !out
            });
            self.codes.extend(found);
            // Codes a customers import refused as likely duplicates: said so, never created.
            let missing: Vec<&str> = unseen
                .iter()
                .copied()
                .filter(|c| !self.codes.contains_key(*c) && !self.hidden_codes.contains(*c))
                .collect();
            if !missing.is_empty() {
                for (code, (run, arg)) in repo::refused_as_duplicates(txn, &missing).await? {
                    self.refused
                        .insert(code, format!(r#"{{"run_id":{run},"hits":{arg}}}"#));
                }
            }
        }
        let mut prospects: Vec<(String, String)> = Vec::new();
        let mut queued: HashSet<&str> = HashSet::new();
        let mut keep = Vec::with_capacity(rows.len());
        for &(row_no, code, name) in rows {
            if self.codes.contains_key(code) {
                keep.push(true);
                continue;
            }
            if self.hidden_codes.contains(code) {
                errors.push(RowError {
                    row_no,
                    column: code_header.to_string(),
                    cell: code.to_string(),
                    reason_key: "err.customer_out_of_scope".into(),
                    reason_arg: String::new(),
                });
                keep.push(false);
                continue;
            }
            if let Some(arg) = self.refused.get(code) {
                errors.push(RowError {
                    row_no,
                    column: code_header.to_string(),
                    cell: code.to_string(),
                    reason_key: "err.customer_refused_duplicate".into(),
                    reason_arg: arg.clone(),
                });
                keep.push(false);
                continue;
            }
            match self.unknown {
                UnknownCustomers::Reject => {
                    errors.push(RowError {
                        row_no,
                        column: code_header.to_string(),
                        cell: code.to_string(),
                        reason_key: "err.unknown_customer".into(),
                        reason_arg: String::new(),
                    });
                    keep.push(false);
                }
                UnknownCustomers::Create => {
                    if queued.insert(code) {
                        let name = if name.is_empty() { code } else { name };
                        prospects.push((code.to_string(), name.to_string()));
                    }
                    keep.push(true);
                }
            }
        }
        let mut created = Vec::new();
        if !prospects.is_empty() {
            created =
                customers::create_prospects(self.app, txn, self.actor, &prospects, now).await?;
            for ((code, _), id) in prospects.iter().zip(&created) {
                self.codes.insert(code.clone(), *id);
            }
        }
        Ok((keep, created))
    }

    async fn write(&mut self, batch: Batch) -> Result<()> {
        if self.kind != ImportKind::Shipments {
            return crate::imports::kinds::write(
                self,
                batch.code_header,
                batch.records,
                batch.errors,
                batch.read,
            )
            .await;
        }
        let app = self.app;
        let now = Utc::now();
        let tz = app.tz();
        let mut errors = batch.errors;
        // Within a batch the later row of a waybill wins.
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(batch.rows.len());
        for (i, p) in batch.rows.iter().enumerate() {
            last.insert(p.shipment.waybill_no.as_str(), i);
        }
        let mut repeated = (batch.rows.len() - last.len()) as i64;
        let keep: HashSet<usize> = last.values().copied().collect();
        drop(last);
        let rows: Vec<Parsed> = batch
            .rows
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, p)| p)
            .collect();
        let mut seg = match self.segment.take() {
            Some(seg) => seg,
            None => Segment {
                txn: self.bulk.begin_bulk().await?,
                // Sized for a full segment at once (growing would hold the old and the
                // new table together for a moment) and kept from segment to segment.
                rollups: match self.spare_rollups.capacity() {
                    0 => HashMap::with_capacity(self.rollup_keys()),
                    _ => std::mem::take(&mut self.spare_rollups),
                },
                rows: 0,
                waybills: HashSet::new(),
                created: HashSet::new(),
            },
        };
        let txn = &seg.txn;
        let refs: Vec<(i64, &str, &str)> = rows
            .iter()
            .map(|p| {
                (
                    p.row_no,
                    p.shipment.customer_code.as_str(),
                    p.customer_name.as_str(),
                )
            })
            .collect();
        let tp = Instant::now();
        let (keep, created) = self
            .resolve_codes(txn, &refs, &batch.code_header, &mut errors, now)
            .await?;
        let prospects = created.len() as i64;
        tracing::debug!(prospects_ms = tp.elapsed().as_millis() as u64, "customers");
        drop(refs);
        let good: Vec<Parsed> = rows
            .into_iter()
            .zip(keep)
            .filter_map(|(p, k)| k.then_some(p))
            .collect();
        let waybills: Vec<&str> = good
            .iter()
            .map(|p| p.shipment.waybill_no.as_str())
            .collect();
        if self.pipelined() {
            let hashes: Vec<u64> = waybills.iter().map(|w| waybill_hash(w)).collect();
            if let Some(f) = &self.finishing {
                let touches = hashes.iter().any(|h| f.waybills.contains(h))
                    || (!f.created.is_empty()
                        && good.iter().any(|p| {
                            self.codes
                                .get(&p.shipment.customer_code)
                                .is_some_and(|id| f.created.contains(id))
                        }));
                if touches {
                    self.wait_finishing().await?;
                }
            }
            seg.waybills.extend(hashes);
            seg.created.extend(created);
        }
        let t0 = Instant::now();
        let old = ship_repo::existing_bulk(txn, &waybills).await?;
        let t_existing = t0.elapsed();
        // Waybills held by customers the user may not act on stay where they are.
        let hidden =
            customers::outside(txn, &self.vis, old.values().map(|o| o.customer_id)).await?;
        let mut writes: Vec<ShipmentWrite> = Vec::with_capacity(good.len());
        let mut counts = self.counts.clone();
        for p in good {
            // Every code left here was found or created above.
            let Some(&customer_id) = self.codes.get(&p.shipment.customer_code) else {
                continue;
            };
            if old
                .get(p.shipment.waybill_no.as_str())
                .is_some_and(|o| hidden.contains(&o.customer_id))
            {
                errors.push(RowError {
                    row_no: p.row_no,
                    column: "运单号".into(),
                    cell: p.shipment.waybill_no.to_string(),
                    reason_key: "err.number_out_of_scope".into(),
                    reason_arg: String::new(),
                });
                continue;
            }
            let order_day = local_day(p.shipment.ordered_at, tz);
            self.revenue_sum += p.shipment.revenue_fen.get();
            let stored = old.get(p.shipment.waybill_no.as_str());
            // Written earlier by this very run: the file repeats the waybill.
            if stored.is_some_and(|o| o.import_run_id == Some(self.run_id)) {
                repeated += 1;
            }
            let unchanged = stored.is_some_and(|o| {
                o.same_content(CustomerId::trusted(customer_id), order_day, &p.shipment)
            });
            match (stored, unchanged) {
                (None, _) => counts.rows_new += 1,
                (Some(_), true) => counts.rows_unchanged += 1,
                (Some(_), false) => counts.rows_updated += 1,
            }
            if !unchanged {
                writes.push(ShipmentWrite {
                    customer_id,
                    order_day,
                    shipment: p.shipment,
                    held_at: None,
                });
            }
        }
        let t1 = Instant::now();
        let held = self.credit.decide(&mut writes, &old, now);
        ship_repo::write_rows_bulk(txn, &writes, &old, Some(self.run_id), now).await?;
        crate::credit::hold_written(txn, self.actor, &held).await?;
        ship_repo::add_deltas(&mut seg.rollups, &writes, &old);
        let t_write = t1.elapsed();
        errors.sort_by_key(|e| e.row_no);
        repo::add_errors(txn, self.run_id, &errors).await?;
        counts.rows_read += batch.read;
        counts.rows_bad += errors
            .iter()
            .map(|e| e.row_no)
            .collect::<HashSet<_>>()
            .len() as i64;
        counts.prospects_created += prospects;
        tracing::debug!(
            existing_ms = t_existing.as_millis() as u64,
            write_ms = t_write.as_millis() as u64,
            "batch"
        );
        seg.rows += batch.read;
        let full = seg.rows >= self.app.settings.import_commit_rows
            || seg.rollups.len() >= self.rollup_keys();
        // The counts go into the run's row when the segment commits; if it never does,
        // the whole run fails and they are not reported.
        self.counts = counts;
        self.repeated += repeated;
        let room = 100usize.saturating_sub(self.first_errors.len());
        self.first_errors.extend(errors.into_iter().take(room));
        self.segment = Some(seg);
        if full {
            self.commit_segment().await?;
        }
        Ok(())
    }

    /// Whether segments commit in the background (PostgreSQL: each transaction has a
    /// connection of its own; SQLite has one writer).
    fn pipelined(&self) -> bool {
        self.app.db.parallel_writers()
    }

    /// Customer-days a segment's rollup map holds at most.
    fn rollup_keys(&self) -> usize {
        if self.pipelined() {
            SEGMENT_ROLLUP_KEYS / 2
        } else {
            SEGMENT_ROLLUP_KEYS
        }
    }

    /// Applies the open segment's rollup changes, records the run's counts and commits:
    /// on PostgreSQL in the background, once the segment before it has committed, so
    /// that the server applies one segment's rollups while the next one's rows arrive.
    /// Segments commit in order, each with its own rows, rollups and counts, so a run
    /// killed at any moment leaves whole segments.
    async fn commit_segment(&mut self) -> Result<()> {
        let Some(mut seg) = self.segment.take() else {
            return Ok(());
        };
        self.wait_finishing().await?;
        let (run_id, counts) = (self.run_id, self.counts.clone());
        let waybills = std::mem::take(&mut seg.waybills);
        let created = std::mem::take(&mut seg.created);
        let finish = async move {
            let t = Instant::now();
            ship_repo::apply_rollup_deltas_bulk(&seg.txn, &seg.rollups).await?;
            repo::progress(&seg.txn, run_id, &counts, Utc::now()).await?;
            let t2 = Instant::now();
            seg.txn.commit().await?;
            tracing::debug!(
                rollups_ms = (t2 - t).as_millis() as u64,
                commit_ms = t2.elapsed().as_millis() as u64,
                "segment"
            );
            let mut rollups = seg.rollups;
            rollups.clear();
            Ok(rollups)
        };
        if self.pipelined() {
            self.finishing = Some(Finishing {
                done: tokio::spawn(finish),
                waybills,
                created,
            });
        } else {
            self.spare_rollups = finish.await?;
        }
        Ok(())
    }

    /// Waits for the segment committing in the background, if there is one.
    async fn wait_finishing(&mut self) -> Result<()> {
        let Some(f) = self.finishing.take() else {
            return Ok(());
        };
        let tw = Instant::now();
        let rollups = f
            .done
            .await
            .map_err(|e| AppError::caused("import segment", e))??;
        tracing::debug!(
            waited_ms = tw.elapsed().as_millis() as u64,
            "waited for the segment before"
        );
        if self.spare_rollups.capacity() == 0 {
            self.spare_rollups = rollups;
        }
        Ok(())
    }
}

/// A run's bad rows as a CSV file (UTF-8 with BOM so that Excel opens it), in `lang`.
pub(crate) async fn error_report(
    app: &App,
    run_id: i64,
    lang: Lang,
    out: &mut impl std::io::Write,
) -> Result<u64> {
    let io = |e: std::io::Error| AppError::from_err(e);
    out.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        lang.t("import.report.row"),
        lang.t("import.report.column"),
        lang.t("import.report.value"),
        lang.t("import.report.reason"),
    ])
    .map_err(AppError::from_err)?;
    let mut after = 0;
    let mut n = 0;
    loop {
        let page = repo::errors(&app.db.conn, run_id, after, 5_000).await?;
        if page.is_empty() {
            break;
        }
        for (id, e) in page {
            after = id;
            n += 1;
            let row = if e.row_no == 0 {
                lang.t("import.file_level").to_string()
            } else {
                e.row_no.to_string()
            };
            // The cell is the user's file's: it may be a formula.
            w.write_record([
                row.as_str(),
                &crate::tabular::csv_safe(&e.column),
                &crate::tabular::csv_safe(&e.cell),
                &reason(lang, &e),
            ])
            .map_err(AppError::from_err)?;
        }
    }
    w.flush().map_err(io)?;
    Ok(n)
}

/// A bad row's reason in `lang`.
pub fn reason(lang: Lang, e: &RowError) -> String {
    if e.reason_key == "err.customer_refused_duplicate" {
        #[derive(Deserialize)]
        struct Refused {
            run_id: i64,
            hits: Vec<Collision>,
        }
        if let Ok(r) = serde_json::from_str::<Refused>(&e.reason_arg) {
            let named: Vec<String> = r.hits.iter().map(|h| h.describe(lang)).collect();
            return lang.tf(&e.reason_key, &[&r.run_id, &named.join("; ")]);
        }
    }
    if e.reason_key == "err.import_duplicate" {
        if let Ok(hits) = serde_json::from_str::<Vec<Collision>>(&e.reason_arg) {
            let named: Vec<String> = hits.iter().map(|h| h.describe(lang)).collect();
            return lang.tf(&e.reason_key, &[&named.join("; ")]);
        }
    }
    lang.tf(&e.reason_key, &[&e.reason_arg])
}

/// An existing customer a refused row looked like, and by which rules (message keys
/// `customer.duplicate_reason.*`); no code or name when it is outside the importer's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collision {
    pub code: Option<String>,
    pub name: Option<String>,
    pub rules: Vec<String>,
}

impl Collision {
    /// `KH000123 上海恒通供应链管理有限公司（联系电话相同、名称相近）`.
    pub fn describe(&self, lang: Lang) -> String {
        let who = match (&self.code, &self.name) {
            (Some(c), Some(n)) => format!("{c} {n}"),
            _ => lang.t("customer.duplicate_hidden").to_string(),
        };
        let rules: Vec<&str> = self.rules.iter().map(|r| lang.t(r)).collect();
        let sep = if lang == Lang::Zh { "、" } else { ", " };
        if lang == Lang::Zh {
            format!("{who}（{}）", rules.join(sep))
        } else {
            format!("{who} ({})", rules.join(sep))
        }
    }
}
