//! The data folder moves the database as well as the key file, however it is set: the
//! flag, `CONSIGN_DATA_DIR`, or `data_dir` in the TOML file (issue 19). A database URL
//! that was given stays where it points.

use std::path::Path;
use std::process::Command;

/// `consign migrate` in an empty working folder, with `args` and `env`.
fn migrate(cwd: &Path, args: &[&str], env: &[(&str, &str)]) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_consign"));
    c.current_dir(cwd).args(args).arg("migrate");
    c.env_remove("CONSIGN_DATA_DIR")
        .env_remove("CONSIGN_DATABASE_URL");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run consign");
    assert!(
        out.status.success(),
        "consign {args:?} migrate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_flag_the_environment_and_the_file_each_move_the_database() {
    let dir = tempfile::tempdir().expect("tmp");
    let cwd = dir.path();
    // The flag.
    migrate(cwd, &["--data-dir", "flag"], &[]);
    assert!(cwd.join("flag/consign.db").exists() && cwd.join("flag/consign.key").exists());
    // The environment.
    migrate(cwd, &[], &[("CONSIGN_DATA_DIR", "env")]);
    assert!(cwd.join("env/consign.db").exists() && cwd.join("env/consign.key").exists());
    // The file.
    std::fs::write(cwd.join("site.toml"), "data_dir = \"file\"\n").expect("toml");
    migrate(cwd, &["--config", "site.toml"], &[]);
    assert!(cwd.join("file/consign.db").exists() && cwd.join("file/consign.key").exists());
    // None of them left a database in ./data.
    assert!(!cwd.join("data/consign.db").exists(), "nothing in ./data");
    // A URL that was given is kept: the database goes there, the key to the folder.
    std::fs::create_dir_all(cwd.join("elsewhere")).expect("mkdir");
    migrate(
        cwd,
        &["--data-dir", "keys"],
        &[("CONSIGN_DATABASE_URL", "sqlite://elsewhere/crm.db")],
    );
    assert!(cwd.join("elsewhere/crm.db").exists() && !cwd.join("keys/consign.db").exists());
}
