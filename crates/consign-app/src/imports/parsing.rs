//! Reading a file into rows of domain values (the reader thread), and saved column profiles.

#[allow(unused_imports)]
use super::*;
use consign_domain::tracking::last4;

/// One parsed row on its way to the writer.
pub(crate) struct Parsed {
    pub(crate) row_no: i64,
    /// The service cell named a product no value map, table or keyword places.
    pub(crate) unknown_product: bool,
    pub(crate) shipment: Shipment,
    pub(crate) customer_name: String,
}

#[derive(Default)]
pub(crate) struct Batch {
    /// The customer-code column's header, for errors found when writing.
    pub(crate) code_header: String,
    /// Shipments.
    pub(crate) rows: Vec<Parsed>,
    /// Records of the other kinds, with their row numbers.
    pub(crate) records: Vec<(i64, crate::imports::kinds::Record)>,
    pub(crate) errors: Vec<RowError>,
    pub(crate) read: i64,
}

pub(crate) struct RowParser<'a> {
    pub(crate) layout: Layout,
    pub(crate) profile: &'a Profile,
    pub(crate) tz: chrono_tz::Tz,
}

/// Whether a service cell is one of our own mode names (a code, or its label in either
/// language, as an export writes it) rather than a carrier's product name.
fn is_mode_word(cell: &str) -> bool {
    static WORDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let fold = consign_domain::shipment::fold;
        ServiceMode::ALL
            .iter()
            .flat_map(|m| {
                [
                    m.as_str().to_string(),
                    fold(Lang::Zh.t(m.label_key())),
                    fold(Lang::En.t(m.label_key())),
                ]
            })
            .collect()
    });
    if cell.is_empty() {
        return false;
    }
    let t = consign_domain::shipment::fold(cell);
    words.contains(&t)
}

impl RowParser<'_> {
    fn parse(&self, no: u64, cells: &[String]) -> std::result::Result<Parsed, Vec<RowError>> {
        let mut errs: Vec<RowError> = Vec::new();
        let l = &self.layout;
        let get = |f: &str| -> &str {
            l.fields
                .iter()
                .position(|d| d.name == f)
                .and_then(|i| l.col[i])
                .and_then(|c| cells.get(c))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let mut fail = |f: &str, key: &'static str| {
            errs.push(RowError {
                row_no: no as i64,
                column: l.header_of(f),
                cell: get(f).chars().take(200).collect(),
                reason_key: key.to_string(),
                reason_arg: String::new(),
            })
        };
        let required = |f: &str, fail: &mut dyn FnMut(&str, &'static str)| -> Option<String> {
            let v = get(f);
            if v.is_empty() {
                fail(f, "err.required");
                None
            } else {
                Some(v.to_string())
            }
        };
        let waybill = required("waybill_no", &mut fail)
            .and_then(|v| WaybillNo::parse(&v).map_err(|k| fail("waybill_no", k)).ok());
        let code = required("customer_code", &mut fail);
        let tz = self.tz;
        let time = |f: &str, fail: &mut dyn FnMut(&str, &'static str)| {
            let v = get(f);
            if v.is_empty() {
                return None;
            }
            parse_local_datetime(v, tz).map_err(|k| fail(f, k)).ok()
        };
        let ordered_at = if get("ordered_at").is_empty() {
            fail("ordered_at", "err.required");
            None
        } else {
            time("ordered_at", &mut fail)
        };
        let promised_at = time("promised_at", &mut fail);
        let shipped_at = time("shipped_at", &mut fail);
        let delivered_at = time("delivered_at", &mut fail);
        let revenue = if get("revenue").is_empty() {
            fail("revenue", "err.required");
            None
        } else {
            Fen::parse(get("revenue"))
                .map_err(|k| fail("revenue", k))
                .ok()
        };
        let cost = match get("cost") {
            "" => None,
            v => Fen::parse(v).map_err(|k| fail("cost", k)).ok(),
        };
        let scaled = |f: &str, d: u32, fail: &mut dyn FnMut(&str, &'static str)| match get(f) {
            "" => 0,
            v => parse_scaled(v, d).map_err(|k| fail(f, k)).unwrap_or(0),
        };
        let pieces = match get("pieces") {
            "" => 1,
            v => parse_scaled(v, 0)
                .map_err(|_| fail("pieces", "err.integer_format"))
                .unwrap_or(0),
        };
        let weight_g = scaled("weight_kg", 3, &mut fail);
        let volume_cm3 = scaled("volume_m3", 6, &mut fail);
        // A product name no value map, table or keyword places is kept as written with
        // the mode `other` and reported once per name (never a reason to drop revenue).
        let mode_text = get("service_mode");
        let mapped_mode = self
            .profile
            .values
            .get("service_mode")
            .and_then(|m| m.get(mode_text))
            .and_then(|v| ServiceMode::parse(v));
        let (service_mode, unknown_product) = match mode_text {
            "" => (None, false),
            v => match mapped_mode.or_else(|| service_mode_from_text(v)) {
                Some(m) => (Some(m), false),
                None => (Some(ServiceMode::Other), true),
            },
        };
        let product: String = if is_mode_word(mode_text) {
            String::new()
        } else {
            mode_text.chars().take(100).collect()
        };
        let status_text = get("status");
        let mapped_status = self
            .profile
            .values
            .get("status")
            .and_then(|m| m.get(status_text))
            .and_then(|v| ShipmentStatus::parse(v));
        let status = match (status_text, mapped_status) {
            (_, Some(s)) => Some(s),
            ("", None) => Some(if delivered_at.is_some() {
                ShipmentStatus::Delivered
            } else if shipped_at.is_some() {
                ShipmentStatus::InTransit
            } else {
                ShipmentStatus::Created
            }),
            (t, None) => {
                let s = status_from_text(t);
                if s.is_none() {
                    fail("status", "err.unknown_status");
                }
                s
            }
        };
        let note = get("note");
        let mut exceptions: Exceptions = exceptions_from_text(note);
        if let Some(m) = self.profile.values.get("note") {
            for (text, flags) in m {
                if !text.is_empty() && note.contains(text.as_str()) {
                    for f in flags.split(',').filter_map(|x| Exception::parse(x.trim())) {
                        exceptions.set(f, true);
                    }
                }
            }
        }
        if exceptions_from_text(status_text).has(Exception::Returned) {
            exceptions.set(Exception::Returned, true);
        }
        for e in Exception::ALL {
            if *e == Exception::Delayed {
                continue;
            }
            let v = get(e.as_str());
            if !v.is_empty() {
                match parse_flag(v) {
                    Ok(on) => exceptions.set(*e, on || exceptions.has(*e)),
                    Err(k) => fail(e.as_str(), k),
                }
            }
        }
        let (
            Some(waybill_no),
            Some(customer_code),
            Some(ordered_at),
            Some(revenue_fen),
            Some(status),
        ) = (waybill, code, ordered_at, revenue, status)
        else {
            return Err(errs);
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        // A route cell ("南京-西安") fills the cities that have no column of their own.
        let (mut origin, mut destination) = (get("origin_city"), get("destination_city"));
        if origin.is_empty() || destination.is_empty() {
            if let Some((o, d)) = consign_domain::shipment::split_route(get("route")) {
                if origin.is_empty() {
                    origin = o;
                }
                if destination.is_empty() {
                    destination = d;
                }
            }
        }
        let mut s = Shipment {
            waybill_no,
            customer_code,
            service_mode,
            product,
            origin_city: origin.chars().take(100).collect(),
            destination_city: destination.chars().take(100).collect(),
            goods_type: get("goods_type").chars().take(100).collect(),
            pieces,
            weight_g,
            volume_cm3,
            revenue_fen,
            cost_fen: cost,
            ordered_at,
            promised_at,
            shipped_at,
            delivered_at,
            status,
            exceptions,
            note: note.chars().take(1000).collect(),
            // A cell that ends in no four digits (无, -) tracks nothing; never a reason
            // to refuse the row.
            shipper_phone_last4: last4(get("shipper_phone")).unwrap_or_default(),
            consignee_phone_last4: last4(get("consignee_phone")).unwrap_or_default(),
        };
        if let Err(broken) = s.normalize() {
            return Err(broken
                .into_iter()
                .map(|(f, key)| RowError {
                    row_no: no as i64,
                    column: l.header_of(f),
                    cell: get(f).chars().take(200).collect(),
                    reason_key: key.to_string(),
                    reason_arg: String::new(),
                })
                .collect());
        }
        Ok(Parsed {
            row_no: no as i64,
            unknown_product,
            shipment: s,
            customer_name: get("customer_name").chars().take(200).collect(),
        })
    }
}

/// Counts the bytes read from the file, for the progress bar.
pub(crate) struct Counting<R> {
    pub(crate) inner: R,
    pub(crate) progress: Arc<ImportProgress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// What the parser thread ends with.
pub(crate) struct ParseEnd {
    pub(crate) fault: Option<FileFault>,
    pub(crate) file_total: Option<i64>,
    pub(crate) encoding: Option<TextEncoding>,
    /// The missing required fields and the headers that might hold them.
    pub(crate) missing: Vec<(&'static str, Vec<String>)>,
    /// Product names kept with the mode `other`, with their row counts.
    pub(crate) unknown_products: BTreeMap<String, i64>,
    /// The header row found (its number and cells) and the first data rows after it,
    /// for the mapping screen.
    pub(crate) header: Option<(u64, Vec<String>)>,
    pub(crate) sample: Vec<(u64, Vec<String>)>,
}

/// Data rows kept for the mapping screen.
pub(crate) const SAMPLE_ROWS: usize = 8;

pub(crate) fn is_xlsx(path: &Path) -> std::io::Result<bool> {
    let mut magic = [0u8; 4];
    let mut f = std::fs::File::open(path)?;
    let n = f.read(&mut magic)?;
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    Ok((n == 4 && magic == *b"PK\x03\x04") || named)
}

/// Reads the whole file on this (blocking) thread, sending batches of parsed rows.
pub(crate) fn parse_file(
    path: &Path,
    opts: &ImportOptions,
    tz: chrono_tz::Tz,
    progress: Arc<ImportProgress>,
    tx: tokio::sync::mpsc::Sender<Batch>,
) -> ParseEnd {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return ParseEnd {
                fault: Some(FileFault::new("err.csv_malformed", e.to_string())),
                file_total: None,
                encoding: None,
                missing: Vec::new(),
                unknown_products: BTreeMap::new(),
                header: None,
                sample: Vec::new(),
            }
        }
    };
    let input = Counting {
        inner: file,
        progress: progress.clone(),
    };
    let profile = &opts.profile;
    let mut state = ParseState {
        kind: opts.kind.unwrap_or(ImportKind::Shipments),
        profile,
        tz,
        head: Vec::new(),
        parser: None,
        batch: Batch::default(),
        tx: &tx,
        progress: &progress,
        file_total: None,
        fault: None,
        saw_bad_text: false,
        missing: Vec::new(),
        unknown_products: BTreeMap::new(),
        header: None,
        sample: Vec::new(),
        sampling_only: false,
    };
    let xlsx = is_xlsx(path).unwrap_or(false);
    let mut encoding = None;
    let result = if xlsx {
        read_xlsx(BufReader::new(input), |ev| state.on_event(ev))
    } else {
        let mut buffered = BufReader::with_capacity(64 * 1024, input);
        let enc = opts
            .encoding
            .or_else(|| profile.encoding.as_deref().and_then(TextEncoding::parse))
            .unwrap_or_else(|| detect(buffered.fill_buf().unwrap_or(&[])));
        encoding = Some(enc);
        read_csv(buffered, enc, |ev| state.on_event(ev))
    };
    if let Err(f) = result {
        state.fault.get_or_insert(f);
    }
    if state.parser.is_none() && state.fault.is_none() {
        // The file ended before a header was found.
        state.fault = Some(if state.saw_bad_text {
            FileFault::new("err.encoding", encoding.map_or("UTF-8", |e| e.label()))
        } else {
            FileFault::new("err.header_not_found", HEADER_SEARCH_ROWS.to_string())
        });
    }
    let mut batch = std::mem::take(&mut state.batch);
    batch.code_header = state.code_header();
    let (fault, file_total) = (state.fault.take(), state.file_total);
    if batch.read > 0 || !batch.errors.is_empty() {
        let _ = tx.blocking_send(batch);
    }
    ParseEnd {
        fault,
        file_total,
        encoding,
        missing: state.missing,
        unknown_products: state.unknown_products,
        header: state.header,
        sample: state.sample,
    }
}

pub(crate) struct ParseState<'a> {
    pub(crate) kind: ImportKind,
    pub(crate) profile: &'a Profile,
    pub(crate) tz: chrono_tz::Tz,
    /// Rows before the header is known.
    pub(crate) head: Vec<(u64, Vec<String>)>,
    pub(crate) parser: Option<RowParser<'a>>,
    pub(crate) batch: Batch,
    pub(crate) tx: &'a tokio::sync::mpsc::Sender<Batch>,
    pub(crate) progress: &'a ImportProgress,
    pub(crate) file_total: Option<i64>,
    pub(crate) fault: Option<FileFault>,
    pub(crate) saw_bad_text: bool,
    /// The missing required fields and the headers that might hold them.
    pub(crate) missing: Vec<(&'static str, Vec<String>)>,
    pub(crate) unknown_products: BTreeMap<String, i64>,
    pub(crate) header: Option<(u64, Vec<String>)>,
    pub(crate) sample: Vec<(u64, Vec<String>)>,
    /// A required column is missing: only the sample rows are still read.
    pub(crate) sampling_only: bool,
}

impl<'a> ParseState<'a> {
    fn code_header(&self) -> String {
        self.parser
            .as_ref()
            .map(|p| p.layout.header_of("customer_code"))
            .unwrap_or_default()
    }

    /// Handles one row; false stops reading.
    fn on_event(&mut self, ev: RowEvent) -> bool {
        match ev {
            RowEvent::Bad { no, key, arg } => {
                if self.parser.is_none() {
                    self.saw_bad_text |= key == "err.encoding";
                    return true;
                }
                self.batch.read += 1;
                self.batch.errors.push(RowError {
                    row_no: no as i64,
                    column: String::new(),
                    cell: String::new(),
                    reason_key: key.to_string(),
                    reason_arg: arg,
                });
            }
            RowEvent::Row { no, cells } => {
                if self.sampling_only {
                    if !cells.iter().all(|c| c.trim().is_empty()) && total_row(cells).is_none() {
                        self.sample.push((no, cells.to_vec()));
                    }
                    return self.sample.len() < SAMPLE_ROWS;
                }
                if self.parser.is_none() {
                    return self.on_head_row(no, cells);
                }
                self.data_row(no, cells);
            }
        }
        self.progress.rows.fetch_add(1, Ordering::Relaxed);
        if self.batch.rows.len() + self.batch.records.len() + self.batch.errors.len() >= BATCH_ROWS
        {
            let mut b = std::mem::take(&mut self.batch);
            b.code_header = self.code_header();
            // The writer hung up (it failed): stop reading.
            return self.tx.blocking_send(b).is_ok();
        }
        true
    }

    fn data_row(&mut self, no: u64, cells: &[String]) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        let Some(p) = &self.parser else { return };
        if let Some(total) = total_row(cells) {
            // Subtotals are skipped; the file's total is checked against the rows.
            if total == TotalRow::Subtotal {
                return;
            }
            let col = self.kind.total_field().and_then(|f| {
                p.layout
                    .fields
                    .iter()
                    .position(|d| d.name == f)
                    .and_then(|i| p.layout.col[i])
            });
            if let Some(v) = col.and_then(|c| cells.get(c)) {
                self.file_total = Fen::parse(v).ok().map(Fen::get);
            }
            return;
        }
        self.batch.read += 1;
        if self.sample.len() < SAMPLE_ROWS {
            self.sample.push((no, cells.to_vec()));
        }
        if self.kind == ImportKind::Shipments {
            match p.parse(no, cells) {
                Ok(row) => {
                    if row.unknown_product {
                        *self
                            .unknown_products
                            .entry(row.shipment.product.clone())
                            .or_default() += 1;
                    }
                    self.batch.rows.push(row)
                }
                Err(errs) => self.batch.errors.extend(errs),
            }
        } else {
            let mut c = crate::imports::kinds::Cells::new(&p.layout, cells, no, self.tz);
            match crate::imports::kinds::parse(self.kind, &mut c) {
                Some(r) if c.errors.is_empty() => self.batch.records.push((no as i64, r)),
                _ => self.batch.errors.extend(c.errors),
            }
        }
    }

    fn on_head_row(&mut self, no: u64, cells: &[String]) -> bool {
        if cells.iter().any(|c| c.contains('\u{fffd}')) {
            self.saw_bad_text = true;
        }
        self.head.push((no, cells.to_vec()));
        let found = match self.profile.header_row {
            Some(h) => (no == h).then(|| self.head.len() - 1),
            None => {
                let rows: Vec<Vec<String>> = self.head.iter().map(|(_, c)| c.clone()).collect();
                find_header(
                    &rows[rows.len() - 1..],
                    known_header(self.profile, self.kind.fields()),
                    3,
                )
                .map(|_| self.head.len() - 1)
            }
        };
        match found {
            Some(i) => {
                let layout = Layout::of(&self.head[i].1, self.profile, self.kind.fields());
                self.header = Some(self.head[i].clone());
                let missing = layout.missing();
                if !missing.is_empty() {
                    self.missing = layout
                        .candidates()
                        .into_iter()
                        .map(|(d, maybe)| (d.name, maybe))
                        .collect();
                    self.fault = Some(FileFault::new("err.column_missing", missing.join("、")));
                    // Nothing is imported; the rows after the header are read only to
                    // show them on the mapping screen.
                    self.sampling_only = true;
                    self.head.clear();
                    return true;
                }
                self.parser = Some(RowParser {
                    layout,
                    profile: self.profile,
                    tz: self.tz,
                });
                self.head.clear();
                true
            }
            None if self.head.len() >= HEADER_SEARCH_ROWS
                || self.profile.header_row.is_some_and(|h| no >= h) =>
            {
                self.fault = Some(if self.saw_bad_text {
                    FileFault::new("err.encoding", "UTF-8")
                } else {
                    FileFault::new("err.header_not_found", HEADER_SEARCH_ROWS.to_string())
                });
                false
            }
            None => true,
        }
    }
}

// ---- profiles ----

/// A saved import profile by name, for those who may import.
pub async fn load_profile(app: &App, actor: &Actor, name: &str) -> Result<Option<Profile>> {
    may_import(actor)?;
    match repo::profile(&app.db.conn, name).await? {
        Some((_, spec)) => {
            Ok(Some(serde_json::from_str(&spec).map_err(|e| {
                AppError::caused(format!("import profile {name:?}"), e)
            })?))
        }
        None => Ok(None),
    }
}

/// Saves an import profile (admins and managers), audited.
pub async fn save_profile(
    app: &App,
    actor: &Actor,
    name: &str,
    kind: &str,
    profile: &Profile,
) -> Result<()> {
    if !actor.role.can_write_operations() {
        return Err(AppError::Forbidden);
    }
    let mut errs = consign_domain::FieldErrors::new();
    if name.trim().is_empty() || name.chars().count() > 100 {
        errs.add("name", "err.required");
    }
    let parsed = ImportKind::parse(kind);
    if parsed.is_none() {
        errs.add("kind", "err.required");
    }
    if let Err(e) = profile.check(parsed.unwrap_or(ImportKind::Shipments)) {
        tracing::info!(error = %e, "import profile refused");
        errs.add("spec", "err.profile_invalid");
    }
    if !errs.0.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let spec = serde_json::to_string(profile).map_err(AppError::from_err)?;
    let txn = app.db.begin_write().await?;
    repo::save_profile(&txn, name.trim(), kind, &spec, Utc::now()).await?;
    crate::audit::record(
        &txn,
        actor,
        crate::audit::Entry {
            action: "import.profile_save",
            entity_type: "import_profile",
            entity_id: name.trim().to_string(),
            customer_id: None,
            summary: None,
            said: crate::audit::said(
                "audit.summary.profile_save",
                vec![
                    consign_domain::i18n::Arg::text(name.trim()),
                    consign_domain::i18n::Arg::key(format!("import.kind.{kind}")),
                ],
            ),
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The saved import profiles (name, kind), for those who may import.
pub async fn list_profiles(app: &App, actor: &Actor) -> Result<Vec<(String, String)>> {
    may_import(actor)?;
    Ok(repo::profiles(&app.db.conn).await?)
}

/// Import profiles are for those who may import something: operations data or customers.
fn may_import(actor: &Actor) -> Result<()> {
    if actor.role.can_write_operations() || actor.role.can_edit_customers() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
