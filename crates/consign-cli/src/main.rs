//! `consign`: the server, the demo, and the operator's commands.

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use consign_app::auth::Actor;
use consign_app::{App, AppError, Settings};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

mod import;
use import::import;

/// mimalloc instead of the system allocator: a request allocates and frees many small
/// strings and rows across threads, where glibc malloc spent a sixth of the server's CPU.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "consign",
    version,
    about = "Consign — the logistics CRM that learns from shipments (物流客户关系管理系统)"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args)]
struct Global {
    /// TOML configuration file (default: ./consign.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL: sqlite://path/to/file.db or postgres://user@host/db (env CONSIGN_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Folder for the SQLite file, the key file and backups (env CONSIGN_DATA_DIR).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the web UI and the API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080; env CONSIGN_LISTEN).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Create a demo database (in data/demo unless told otherwise) if there is none, print the logins, serve.
    Demo {
        #[arg(long)]
        listen: Option<String>,
        /// Number of demo customers.
        #[arg(long, default_value_t = 2400)]
        customers: usize,
        /// Shipments: 1 gives about 500,000 over 24 months; 20 about 10 million.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Seed and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply pending database migrations and list them.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCmd),
    /// Write a consistent copy of the database and the key file into a folder.
    Backup {
        /// Destination folder.
        #[arg(long, default_value = "backups")]
        out: PathBuf,
    },
    /// Restore an SQLite backup over the configured database (stop the server first).
    Restore {
        /// The backup database file (consign-YYYYMMDD-HHMMSS.db).
        file: PathBuf,
        /// The key file written with it.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Return customers without a recent follow-up by their owner to the pool now.
    ReclaimPool,
    /// Classify every customer (grade, value class, lifecycle, churn warning, RFM) as of a
    /// day, from the rollups, under the policy in force, and store the run.
    Classify {
        /// The day (YYYY-MM-DD, company time zone); shipments on it and later are not
        /// counted. Default: today. As of the first of a month: the month-end snapshot.
        #[arg(long)]
        as_of: Option<String>,
        /// Language of the summary (zh-CN or en).
        #[arg(long)]
        lang: Option<String>,
    },
    /// Rebuild every customer's daily and monthly rollups from the raw shipments, in the
    /// company's time zone (done by itself at start-up when the zone changed).
    RebuildRollups,
    /// Import a CSV (UTF-8 or GBK) or XLSX file: bad rows are reported, good rows kept;
    /// running the same file again changes nothing. Exit status 0: every row imported;
    /// 3: some rows were bad (see the error report); 2: the file could not be read to its end.
    Import {
        /// What the file holds: shipments, tracking, invoices, payments, customers or
        /// contacts.
        kind: String,
        file: PathBuf,
        /// Text encoding of a CSV file: utf-8 or gbk (default: detected).
        #[arg(long)]
        encoding: Option<String>,
        /// Customer codes no customer has: reject (report the row) or create (as prospects).
        #[arg(long)]
        unknown_customers: Option<String>,
        /// A saved import profile (see `consign import-profile`).
        #[arg(long)]
        profile: Option<String>,
        /// Write the bad rows to this CSV file (default: next to the input, *.errors.csv).
        #[arg(long)]
        errors: Option<PathBuf>,
        /// Language of messages and of the error report: zh or en (default: from LANG).
        #[arg(long)]
        lang: Option<String>,
        /// Print the summary only, no progress bar.
        #[arg(long)]
        quiet: bool,
        /// Customers: import rows that look like existing customers (same credit code,
        /// phone or name) instead of reporting them.
        #[arg(long)]
        allow_duplicates: bool,
        /// Read the whole file and report what importing it would do (the columns
        /// found, good and bad rows, the 合计 check, unknown product names and
        /// customers), writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export a list to CSV or XLSX (by the file's extension) with the columns the
    /// import takes (it imports again unchanged).
    Export {
        /// What to export: customers, shipments, invoices or payments.
        kind: String,
        /// The file to write: *.csv or *.xlsx.
        file: PathBuf,
    },
    /// Save an import profile from a TOML file, or list the saved ones.
    ImportProfile {
        /// Name to save under; with no name, the saved profiles are listed.
        name: Option<String>,
        /// The profile (TOML: header_row, [columns], [values.status], [values.note], encoding).
        file: Option<PathBuf>,
        /// What files the profile reads.
        #[arg(long, default_value = "shipments")]
        kind: String,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; the password is asked for, or read from standard input with --password-stdin.
    Add {
        username: String,
        /// admin | manager | account_manager | service_agent | credit_officer | read_only | portal_user
        #[arg(long)]
        role: String,
        /// Full name (default: the username).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Organisation unit id (default: the company).
        #[arg(long)]
        unit: Option<i64>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password.
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Disable a user (ends its sessions).
    Disable { username: String },
    /// Enable a disabled user.
    Enable { username: String },
    /// Create an API token for a user (printed once).
    Token {
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn settings(g: &Global, demo: bool) -> Result<Settings> {
    let mut s = Settings::load(g.config.as_deref()).map_err(|e| anyhow!(e))?;
    if demo && g.data_dir.is_none() && std::env::var_os("CONSIGN_DATA_DIR").is_none() {
        s.set_data_dir(PathBuf::from("data/demo"));
    }
    if let Some(d) = &g.data_dir {
        s.set_data_dir(d.clone());
    }
    if let Some(u) = &g.database_url {
        s.set_database_url(u.clone());
    }
    Ok(s)
}

fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation(errs) => anyhow!(
            "{}",
            errs.0
                .iter()
                .map(|f| format!("{}: {}", f.field, consign_domain::Lang::En.t(f.code)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        AppError::Conflict { field, code } => {
            anyhow!("{field}: {}", consign_domain::Lang::En.t(code))
        }
        AppError::NotFound => anyhow!("not found"),
        other => anyhow!(other),
    }
}

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let p1 = rpassword::prompt_password("Password: ")?;
    let p2 = rpassword::prompt_password("Repeat: ")?;
    if p1 != p2 {
        bail!("the passwords differ");
    }
    Ok(p1)
}

async fn open(s: Settings) -> Result<App> {
    App::open(s)
        .await
        .map_err(explain)
        .context("opening the database")
}

async fn serve(app: App, listen: &str) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("Consign is serving on http://{addr}/  (Ctrl-C stops it)");
    consign_web::serve(app, listener).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CONSIGN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let g = &cli.global;
    match cli.cmd {
        Cmd::Serve { listen } => {
            let mut s = settings(g, false)?;
            if let Some(l) = listen {
                s.listen = l;
            }
            let listen = s.listen.clone();
            let app = open(s).await?;
            if consign_app::users::count(&app).await? == 0 {
                println!("No users yet. Create the first administrator with:\n  consign user add admin --role admin");
            }
            serve(app, &listen).await
        }
        Cmd::Demo {
            listen,
            customers,
            scale,
            no_serve,
        } => {
            let mut s = settings(g, true)?;
            if let Some(l) = listen {
                s.listen = l;
            }
            let listen = s.listen.clone();
            println!(
                "Demo database: {}",
                consign_app::config::redact_url(&s.database_url)
            );
            let app = open(s).await?;
            let started = std::time::Instant::now();
            let shipments =
                (consign_app::demo::ops::DEMO_SHIPMENTS as f64 * scale.max(0.0)).round() as usize;
            if consign_app::demo::seed_if_empty(&app, customers, shipments)
                .await
                .map_err(explain)?
            {
                println!(
                    "Created {customers} demo customers and about {shipments} shipments in {:.1}s.",
                    started.elapsed().as_secs_f64()
                );
            } else {
                println!("The demo database exists already; using it as it is.");
            }
            println!();
            println!(
                "Sign in with any of these users, password: {}",
                consign_app::demo::DEMO_PASSWORD
            );
            println!("  admin   系统管理员 (administrator)");
            println!("  wangjl  王建林 (manager, 上海分公司: sees its branch's customers)");
            println!(
                "  lixy    李晓云 (account manager, 华东大客户部: sees own customers and the pool)"
            );
            println!("  zhaop   赵鹏 (account manager, 华东中小客户组)");
            println!("  chenj   陈静 (account manager, 华南销售组)");
            println!("  liuy    刘洋 (service agent, 上海分公司)");
            println!("  sunl    孙丽 (service agent, 广州分公司)");
            println!("  zhoum   周敏 (credit officer, head office: limits, holds, collections)");
            let portal = consign_app::demo::portal::logins(&app)
                .await
                .map_err(explain)?;
            if !portal.is_empty() {
                println!();
                println!("Customer portal (/portal), same password: a customer's contact sees its own company only");
                for (user, name, company) in portal {
                    println!("  {user}  {name} ({company})");
                }
            }
            if let Some((waybill, digits)) = consign_app::demo::portal::tracking_example(&app)
                .await
                .map_err(explain)?
            {
                println!();
                println!(
                    "Public tracking, no sign-in: /track?waybill_no={waybill}&phone_last4={digits}"
                );
            }
            println!();
            if no_serve {
                return Ok(());
            }
            serve(app, &listen).await
        }
        Cmd::Migrate => {
            let s = settings(g, false)?;
            let app = open(s).await?;
            for m in app.db.applied_migrations().await? {
                println!("applied  {m}");
            }
            Ok(())
        }
        Cmd::User(u) => {
            let app = open(settings(g, false)?).await?;
            let actor = Actor::system("cli");
            match u {
                UserCmd::Add {
                    username,
                    role,
                    name,
                    email,
                    unit,
                    password_stdin,
                } => {
                    let password = read_password(password_stdin)?;
                    let n = consign_app::users::NewUser {
                        display_name: name.unwrap_or_else(|| username.clone()),
                        username,
                        email,
                        role,
                        org_unit_id: unit,
                        password,
                    };
                    let v = consign_app::users::create(&app, &actor, &n)
                        .await
                        .map_err(explain)?;
                    println!("created user {} ({}) in {}", v.username, v.role, v.org_unit);
                }
                UserCmd::Passwd {
                    username,
                    password_stdin,
                } => {
                    let p = read_password(password_stdin)?;
                    let revoked = consign_app::users::set_password(&app, &actor, &username, &p)
                        .await
                        .map_err(explain)?;
                    println!(
                        "password changed for {username}; its sessions have ended and {revoked} API token(s) were revoked"
                    );
                }
                UserCmd::List => {
                    println!(
                        "{:<16} {:<12} {:<16} {:<14} STATUS",
                        "USERNAME", "NAME", "ROLE", "UNIT"
                    );
                    for v in consign_app::users::list(&app, &actor)
                        .await
                        .map_err(explain)?
                    {
                        println!(
                            "{:<16} {:<12} {:<16} {:<14} {}",
                            v.username,
                            v.display_name,
                            v.role.as_str(),
                            v.org_unit,
                            if v.disabled { "disabled" } else { "active" }
                        );
                    }
                }
                UserCmd::Disable { username } => {
                    consign_app::users::set_disabled(&app, &actor, &username, true)
                        .await
                        .map_err(explain)?;
                    println!("disabled {username}");
                }
                UserCmd::Enable { username } => {
                    consign_app::users::set_disabled(&app, &actor, &username, false)
                        .await
                        .map_err(explain)?;
                    println!("enabled {username}");
                }
                UserCmd::Token { username, name } => {
                    let id = consign_app::users::id_of(&app, &username)
                        .await
                        .map_err(explain)?;
                    let (_, raw) = consign_app::auth::create_token(&app, &actor, id, &name, None)
                        .await
                        .map_err(explain)?;
                    println!("{raw}");
                }
            }
            Ok(())
        }
        Cmd::Backup { out } => {
            let app = open(settings(g, false)?).await?;
            let files = consign_app::backup::backup(&app, &out)
                .await
                .map_err(explain)?;
            println!("database: {}", files.database.display());
            match files.key {
                Some(k) => println!("key file: {}  (keep it with the database: without it personal data cannot be read)", k.display()),
                None => println!("key: from master_key in the configuration (not copied)"),
            }
            Ok(())
        }
        Cmd::Restore { file, key, force } => {
            let s = settings(g, false)?;
            let target = consign_app::backup::restore_sqlite(&s, &file, key.as_deref(), force)
                .await
                .map_err(explain)?;
            println!("restored {} into {}", file.display(), target.display());
            Ok(())
        }
        Cmd::RebuildRollups => {
            let app = open(settings(g, false)?).await?;
            let (customers, shipments) = consign_app::shipments::rebuild_rollups(&app)
                .await
                .map_err(explain)?;
            println!("rollups rebuilt: {customers} customers, {shipments} shipments");
            Ok(())
        }
        Cmd::Classify { as_of, lang } => {
            let as_of = match as_of {
                Some(s) => Some(
                    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                        .map_err(|_| anyhow!("--as-of: not a date (YYYY-MM-DD): {s}"))?,
                ),
                None => None,
            };
            let lang = lang_of(lang.as_deref());
            let app = open(settings(g, false)?).await?;
            let s = consign_app::classification::recompute(
                &app,
                &Actor::system("cli"),
                as_of,
                "manual",
            )
            .await
            .map_err(explain)?;
            println!("{}", s.text(lang));
            Ok(())
        }
        Cmd::ReclaimPool => {
            let app = open(settings(g, false)?).await?;
            let n = consign_app::customers::reclaim_stale(&app, chrono_now())
                .await
                .map_err(explain)?;
            println!("{n} customers returned to the pool");
            Ok(())
        }
        Cmd::Import {
            kind,
            file,
            encoding,
            unknown_customers,
            profile,
            errors,
            lang,
            quiet,
            allow_duplicates,
            dry_run,
        } => {
            let code = import(
                g,
                &kind,
                &file,
                encoding.as_deref(),
                unknown_customers.as_deref(),
                profile.as_deref(),
                errors,
                lang_of(lang.as_deref()),
                quiet,
                allow_duplicates,
                dry_run,
            )
            .await?;
            if code != 0 {
                std::process::exit(code);
            }
            Ok(())
        }
        Cmd::Export { kind, file } => {
            use consign_app::exports::{export, Export, Format};
            let what = match kind.as_str() {
                "shipments" => Export::Shipments(None),
                "customers" => Export::Customers(Box::default()),
                "invoices" => Export::Invoices(None),
                "payments" => Export::Payments(None),
                _ => bail!("unknown kind {kind:?}: customers, shipments, invoices or payments"),
            };
            let app = open(settings(g, false)?).await?;
            let mut out = std::io::BufWriter::new(
                std::fs::File::create(&file)
                    .with_context(|| format!("cannot write {}", file.display()))?,
            );
            let n = export(
                &app,
                &Actor::system("export"),
                &what,
                Format::of_path(&file),
                &mut out,
            )
            .await
            .map_err(explain)?;
            std::io::Write::flush(&mut out)?;
            println!("{n} {kind} written to {}", file.display());
            Ok(())
        }
        Cmd::ImportProfile { name, file, kind } => {
            let app = open(settings(g, false)?).await?;
            match (name, file) {
                (Some(name), Some(file)) => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    let profile: consign_app::imports::Profile =
                        toml::from_str(&text).with_context(|| format!("{}", file.display()))?;
                    consign_app::imports::save_profile(
                        &app,
                        &Actor::system("cli"),
                        &name,
                        &kind,
                        &profile,
                    )
                    .await
                    .map_err(explain)?;
                    println!("saved import profile {name:?}");
                }
                (None, _) => {
                    for (name, kind) in
                        consign_app::imports::list_profiles(&app, &Actor::system("cli"))
                            .await
                            .map_err(explain)?
                    {
                        println!("{name}\t{kind}");
                    }
                }
                (Some(_), None) => {
                    bail!("give the profile file: consign import-profile NAME FILE.toml")
                }
            }
            Ok(())
        }
    }
}

fn lang_of(choice: Option<&str>) -> consign_domain::Lang {
    if let Some(l) = choice.and_then(consign_domain::Lang::parse) {
        return l;
    }
    let env = std::env::var("LANG").unwrap_or_default();
    if env.starts_with("zh") {
        consign_domain::Lang::Zh
    } else {
        consign_domain::Lang::En
    }
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
