//! Checking a file before it is imported (issue 19): which column holds which field and
//! how sure the matching is, the first rows, and a dry run over the whole file — the
//! counts, the bad rows with their reasons, the 合计 check, the product names and status
//! words no table knows, and the customers the file names that do not exist — with
//! nothing written. The mapping screen and `consign import --dry-run` show it.

#[allow(unused_imports)]
use super::*;

/// How a column's field was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The profile names it.
    Profile,
    /// The header is one of the field's synonyms.
    High,
    /// The header shares a synonym's stem and the kind of its suffix (运单号码 ~ 运单号).
    Medium,
    /// Several fields match the header equally well: the user chooses.
    Ambiguous,
    /// No field matches: the column is not read.
    None,
}

impl Confidence {
    pub fn label_key(self) -> &'static str {
        match self {
            Confidence::Profile => "import.confidence.profile",
            Confidence::High => "import.confidence.high",
            Confidence::Medium => "import.confidence.medium",
            Confidence::Ambiguous => "import.confidence.ambiguous",
            Confidence::None => "import.confidence.none",
        }
    }
}

/// One column of the file as the matching read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ColumnGuess {
    pub header: String,
    /// The field it fills, if any.
    pub field: Option<&'static str>,
    pub confidence: Confidence,
    /// When ambiguous: the fields it might be.
    pub candidates: Vec<&'static str>,
    /// The first rows' cells of this column.
    pub samples: Vec<String>,
}

/// A value of an enumerated field that nothing maps, with the rows that hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnmappedValue {
    /// `service_mode` or `status`.
    pub field: &'static str,
    pub text: String,
    pub rows: i64,
}

/// What importing the file would do, found without writing anything.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DryRun {
    pub kind: ImportKind,
    /// The 1-based row of the header, when one was found.
    pub header_row: Option<u64>,
    pub columns: Vec<ColumnGuess>,
    /// Required fields no column holds.
    pub missing: Vec<&'static str>,
    /// The profile used (chosen, or recognised by the file's headers).
    pub profile: Option<String>,
    pub rows_read: i64,
    pub rows_good: i64,
    pub rows_bad: i64,
    /// The first bad rows, localized.
    pub errors: Vec<BadRow>,
    pub total_check: Option<TotalCheck>,
    pub unmapped: Vec<UnmappedValue>,
    /// Customer codes (shipments) that name no customer, and the rows that name them:
    /// refused, or created as prospects when the import creates them.
    pub unknown_customers: i64,
    pub unknown_customer_rows: i64,
    /// Rows naming customers outside the caller's scope (refused).
    pub out_of_scope_rows: i64,
    /// Why the file cannot be read to its end, localized.
    pub problem: Option<String>,
}

/// Bad rows a dry run keeps to show.
const SHOWN_ERRORS: usize = 50;
/// Distinct customer codes a dry run checks at most (a larger file is checked when it
/// imports).
const CHECKED_CODES: usize = 200_000;

/// The field of each column of `header` under `profile`, with how sure the matching is.
pub(crate) fn guess_columns(
    header: &[String],
    profile: &Profile,
    fields: &'static [FieldDef],
    sample: &[(u64, Vec<String>)],
) -> Vec<ColumnGuess> {
    let layout = Layout::of(header, profile, fields);
    let by_profile: HashMap<String, &str> = profile
        .columns
        .iter()
        .map(|(h, f)| (headers::norm(h), f.as_str()))
        .collect();
    header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let key = headers::norm(h);
            let field = layout
                .col
                .iter()
                .position(|x| *x == Some(c))
                .map(|i| fields[i].name);
            let (confidence, candidates) = if by_profile.contains_key(&key) {
                (
                    if field.is_some() {
                        Confidence::Profile
                    } else {
                        Confidence::None
                    },
                    Vec::new(),
                )
            } else {
                match headers::best(fields, &key) {
                    Ok(Some((_, s, _))) if field.is_some() => (
                        if s == headers::Strength::Exact {
                            Confidence::High
                        } else {
                            Confidence::Medium
                        },
                        Vec::new(),
                    ),
                    Err(many) => (Confidence::Ambiguous, many),
                    _ => (Confidence::None, Vec::new()),
                }
            };
            ColumnGuess {
                header: h.clone(),
                field,
                confidence,
                candidates,
                samples: sample
                    .iter()
                    .map(|(_, cells)| cells.get(c).cloned().unwrap_or_default())
                    .collect(),
            }
        })
        .collect()
}

/// The field the matching alone (no profile) gives each column of `header`.
pub fn matched_fields(kind: ImportKind, header: &[String]) -> Vec<Option<&'static str>> {
    guess_columns(header, &Profile::default(), kind.fields(), &[])
        .into_iter()
        .map(|c| c.field)
        .collect()
}

/// Reads the whole file as an import would, writing nothing.
pub async fn dry_run(
    app: &App,
    actor: &Actor,
    path: &Path,
    opts: &ImportOptions,
    lang: Lang,
) -> Result<DryRun> {
    let kind = opts.kind.unwrap_or(ImportKind::Shipments);
    authorize(actor, kind)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(2);
    let parse = {
        let (path, opts, tz) = (path.to_path_buf(), opts.clone(), app.tz());
        tokio::task::spawn_blocking(move || {
            parse_file(&path, &opts, tz, Arc::new(ImportProgress::default()), tx)
        })
    };
    let (mut read, mut bad, mut revenue) = (0i64, 0i64, 0i64);
    let mut errors: Vec<RowError> = Vec::new();
    let mut statuses: BTreeMap<String, i64> = BTreeMap::new();
    // customer code → rows naming it
    let mut codes: HashMap<String, i64> = HashMap::new();
    let mut good = 0i64;
    while let Some(batch) = rx.recv().await {
        read += batch.read;
        let mut bad_rows: HashSet<i64> = HashSet::new();
        for e in &batch.errors {
            bad_rows.insert(e.row_no);
            if e.reason_key == "err.unknown_status" {
                *statuses.entry(e.cell.clone()).or_default() += 1;
            }
        }
        bad += bad_rows.len() as i64;
        good += (batch.rows.len() + batch.records.len()) as i64;
        for r in &batch.rows {
            revenue += r.shipment.revenue_fen.get();
            if codes.len() < CHECKED_CODES || codes.contains_key(&r.shipment.customer_code) {
                *codes.entry(r.shipment.customer_code.clone()).or_default() += 1;
            }
        }
        let room = SHOWN_ERRORS.saturating_sub(errors.len());
        errors.extend(batch.errors.into_iter().take(room));
    }
    let end = parse
        .await
        .map_err(|e| AppError::caused("import reader", e))?;
    let (mut unknown, mut unknown_rows, mut hidden_rows) = (0, 0, 0);
    if !codes.is_empty() {
        let list: Vec<&str> = codes.keys().map(String::as_str).collect();
        let found = consign_store::customers::ids_by_code(&app.db.conn, &list).await?;
        let vis = customers::visibility(app, actor).await?;
        let hidden = crate::scope::outside(&app.db.conn, &vis, found.values().copied()).await?;
        for (code, n) in &codes {
            match found.get(code) {
                None => {
                    unknown += 1;
                    unknown_rows += n;
                }
                Some(id) if hidden.contains(id) => hidden_rows += n,
                Some(_) => {}
            }
        }
    }
    let unknown_customers = opts
        .unknown_customers
        .or(opts.profile.unknown_customers)
        .unwrap_or_default();
    // Rows that name unknown customers are bad unless the import creates them; rows of
    // customers outside the scope always are.
    let refused = hidden_rows
        + if unknown_customers == UnknownCustomers::Reject {
            unknown_rows
        } else {
            0
        };
    let fields = kind.fields();
    let (header_row, columns, missing) = match &end.header {
        Some((no, cells)) => {
            let layout = Layout::of(cells, &opts.profile, fields);
            (
                Some(*no),
                guess_columns(cells, &opts.profile, fields, &end.sample),
                layout
                    .candidates()
                    .into_iter()
                    .map(|(d, _)| d.name)
                    .collect(),
            )
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let mut unmapped: Vec<UnmappedValue> = end
        .unknown_products
        .iter()
        .map(|(text, rows)| UnmappedValue {
            field: "service_mode",
            text: text.clone(),
            rows: *rows,
        })
        .collect();
    unmapped.extend(statuses.into_iter().map(|(text, rows)| UnmappedValue {
        field: "status",
        text,
        rows,
    }));
    Ok(DryRun {
        kind,
        header_row,
        columns,
        missing,
        profile: None,
        rows_read: read,
        rows_good: good - refused,
        rows_bad: bad + refused,
        errors: errors
            .iter()
            .map(|e| BadRow {
                row: e.row_no,
                column: e.column.clone(),
                value: e.cell.clone(),
                reason: reason(lang, e),
            })
            .collect(),
        total_check: end.file_total.map(|t| TotalCheck {
            file_fen: t,
            rows_fen: revenue,
        }),
        unmapped,
        unknown_customers: unknown,
        unknown_customer_rows: unknown_rows,
        out_of_scope_rows: hidden_rows,
        problem: end.fault.as_ref().map(|f| lang.tf(f.key, &[&f.arg])),
    })
}

/// A header row as compared between files: its non-empty cells, normalised.
pub(crate) fn header_signature(header: &[String]) -> Vec<String> {
    header
        .iter()
        .map(|h| headers::norm(h))
        .filter(|h| !h.is_empty())
        .collect()
}

/// The header row of a file as the import would find it with `opts`' profile, reading
/// no further than the first batch of rows after it.
pub async fn header_of(
    path: &Path,
    opts: &ImportOptions,
    tz: chrono_tz::Tz,
) -> Result<Option<Vec<String>>> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(1);
    let parse = {
        let (path, opts) = (path.to_path_buf(), opts.clone());
        tokio::task::spawn_blocking(move || {
            parse_file(&path, &opts, tz, Arc::new(ImportProgress::default()), tx)
        })
    };
    // The first batch is enough; dropping the receiver stops the reader.
    let _ = rx.recv().await;
    drop(rx);
    let end = parse
        .await
        .map_err(|e| AppError::caused("import reader", e))?;
    Ok(end.header.map(|(_, cells)| cells))
}

/// When no profile was chosen: the saved profile of this kind whose header row is the
/// file's (the next file from the same source is read the same way without being
/// asked), put in `opts`; returns its name.
pub async fn apply_recognised(
    app: &App,
    path: &Path,
    opts: &mut ImportOptions,
) -> Result<Option<String>> {
    if opts.profile != Profile::default() {
        return Ok(None);
    }
    let kind = opts.kind.unwrap_or(ImportKind::Shipments);
    // The profiles saved with a header row, read once; the file is opened only when
    // there is one.
    let saved: Vec<(String, Profile)> = repo::profile_specs(&app.db.conn, kind.as_str())
        .await?
        .into_iter()
        .filter_map(|(name, spec)| Some((name, serde_json::from_str::<Profile>(&spec).ok()?)))
        .filter(|(_, p)| !p.headers.is_empty())
        .collect();
    if saved.is_empty() {
        return Ok(None);
    }
    let Some(header) = header_of(path, opts, app.tz()).await? else {
        return Ok(None);
    };
    let key = header_signature(&header);
    if key.is_empty() {
        return Ok(None);
    }
    Ok(saved
        .into_iter()
        .find(|(_, p)| header_signature(&p.headers) == key)
        .map(|(name, profile)| {
            opts.profile = profile;
            name
        }))
}
