//! Uploads kept for the mapping screen (issue 19): the file waits in the data directory's
//! `uploads/staged/` under a random token, with the options and the mapping chosen so far,
//! until its uploader imports it or a day passes. Only the uploader may see, change or
//! import it.

#[allow(unused_imports)]
use super::*;
use rand::RngCore;
use std::path::PathBuf;

/// How long an unimported upload is kept.
const KEPT_FOR: chrono::Duration = chrono::Duration::hours(24);

/// An upload waiting on the mapping screen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Staged {
    pub user_id: Option<i64>,
    pub kind: ImportKind,
    pub file_name: String,
    pub encoding: Option<String>,
    pub create_prospects: bool,
    pub allow_duplicates: bool,
    /// The saved profile chosen or recognised, by name.
    pub profile_name: Option<String>,
    /// The mapping as chosen so far.
    pub profile: Profile,
    pub created_at: chrono::DateTime<Utc>,
}

impl Staged {
    /// The options an import or a dry run of this upload takes.
    pub fn options(&self) -> ImportOptions {
        ImportOptions {
            kind: Some(self.kind),
            encoding: self.encoding.as_deref().and_then(TextEncoding::parse),
            unknown_customers: Some(if self.create_prospects {
                UnknownCustomers::Create
            } else {
                UnknownCustomers::Reject
            }),
            profile: self.profile.clone(),
            file_name: self.file_name.clone(),
            allow_duplicates: self.allow_duplicates,
        }
    }
}

fn dir(app: &App) -> PathBuf {
    app.settings.data_dir.join("uploads").join("staged")
}

/// The files of a token; None for anything that is not one of ours (32 hex digits).
fn paths(app: &App, token: &str) -> Option<(PathBuf, PathBuf)> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let d = dir(app);
    Some((
        d.join(format!("{token}.data")),
        d.join(format!("{token}.json")),
    ))
}

/// Keeps an uploaded file for the mapping screen; returns its token. Uploads older than
/// a day are removed first.
pub async fn stage(
    app: &App,
    actor: &Actor,
    file: tempfile::TempPath,
    opts: &ImportOptions,
    profile_name: Option<String>,
) -> Result<String> {
    let kind = opts.kind.unwrap_or(ImportKind::Shipments);
    authorize(actor, kind)?;
    let d = dir(app);
    std::fs::create_dir_all(&d).map_err(AppError::from_err)?;
    sweep(&d);
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    let token: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let (data, meta) = paths(app, &token).ok_or(AppError::NotFound)?;
    file.persist(&data).map_err(AppError::from_err)?;
    let mut opts = opts.clone();
    let recognised = match profile_name {
        Some(n) => Some(n),
        None => apply_recognised(app, &data, &mut opts).await?,
    };
    let staged = Staged {
        user_id: actor.id,
        kind,
        file_name: opts.file_name.clone(),
        encoding: opts.encoding.map(|e| match e {
            TextEncoding::Utf8 => "utf-8".to_string(),
            TextEncoding::Gbk => "gbk".to_string(),
        }),
        create_prospects: opts.unknown_customers == Some(UnknownCustomers::Create),
        allow_duplicates: opts.allow_duplicates,
        profile_name: recognised,
        profile: opts.profile,
        created_at: Utc::now(),
    };
    write_meta(&meta, &staged)?;
    Ok(token)
}

fn write_meta(path: &Path, s: &Staged) -> Result<()> {
    let json = serde_json::to_vec(s).map_err(AppError::from_err)?;
    std::fs::write(path, json).map_err(AppError::from_err)
}

/// Removes staged uploads older than a day (best effort).
fn sweep(d: &Path) {
    let Ok(entries) = std::fs::read_dir(d) else {
        return;
    };
    let old = std::time::SystemTime::now() - KEPT_FOR.to_std().unwrap_or_default();
    for e in entries.flatten() {
        if e.metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < old)
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The caller's staged upload and its file; NotFound for anyone else's or an unknown token.
pub fn staged(app: &App, actor: &Actor, token: &str) -> Result<(Staged, PathBuf)> {
    let (data, meta) = paths(app, token).ok_or(AppError::NotFound)?;
    let bytes = std::fs::read(&meta).map_err(|_| AppError::NotFound)?;
    let s: Staged = serde_json::from_slice(&bytes).map_err(|_| AppError::NotFound)?;
    if s.user_id.is_none() || s.user_id != actor.id || !data.exists() {
        return Err(AppError::NotFound);
    }
    authorize(actor, s.kind)?;
    Ok((s, data))
}

/// Stores the mapping and options chosen on the mapping screen.
pub fn restage(app: &App, actor: &Actor, token: &str, s: &Staged) -> Result<()> {
    staged(app, actor, token)?;
    let (_, meta) = paths(app, token).ok_or(AppError::NotFound)?;
    if s.profile.check(s.kind).is_err() {
        let mut errs = consign_domain::FieldErrors::new();
        errs.add("profile", "err.profile_invalid");
        return Err(AppError::Validation(errs));
    }
    write_meta(&meta, s)
}

/// Imports a staged upload with its mapping (in the background, as an upload is); the
/// file is removed when the run ends.
pub async fn import_staged(app: &App, actor: &Actor, token: &str) -> Result<i64> {
    let (s, data) = staged(app, actor, token)?;
    let (_, meta) = paths(app, token).ok_or(AppError::NotFound)?;
    let _ = std::fs::remove_file(meta);
    let file = tempfile::TempPath::try_from_path(data).map_err(AppError::from_err)?;
    start_upload(app, actor, file, s.options()).await
}
