//! Personal data at rest (SPEC §1, §13): AES-256-GCM encryption, and a keyed hash
//! (HMAC-SHA-256) for exact-match phone search, so no phone number is stored in clear.

use crate::{AppError, Result, Settings};
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use consign_domain::customer::Phone;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::io::Write;

type HmacSha256 = Hmac<Sha256>;

pub struct Vault {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
    link_key: [u8; 32],
}

const PREFIX: &str = "v1:";
const CHECK_SETTING: &str = "vault.check";
const CHECK_PLAINTEXT: &str = "consign-key-check";

fn derive(master: &[u8], label: &str) -> [u8; 32] {
    // HMAC accepts keys of any length; new_from_slice cannot fail for it.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).unwrap_or_else(|_| unreachable!());
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Vault {
    pub fn from_master(master: &[u8]) -> Vault {
        let enc = derive(master, "consign/pii-encryption/v1");
        let index_key = derive(master, "consign/phone-index/v1");
        let link_key = derive(master, "consign/signed-links/v1");
        Vault {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&enc)),
            index_key,
            link_key,
        }
    }

    /// The key from `master_key`, or from the key file, created (mode 0600) when missing.
    pub fn load(s: &Settings) -> Result<Vault, String> {
        if let Some(k) = &s.master_key {
            let bytes = STANDARD
                .decode(k.trim())
                .map_err(|_| "master_key: not base64".to_string())?;
            if bytes.len() != 32 {
                return Err("master_key: must be 32 bytes (base64)".into());
            }
            return Ok(Vault::from_master(&bytes));
        }
        let path = s.key_path();
        if path.exists() {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let bytes = STANDARD
                .decode(text.trim())
                .map_err(|_| format!("{}: not a Consign key file", path.display()))?;
            if bytes.len() != 32 {
                return Err(format!("{}: not a Consign key file", path.display()));
            }
            return Ok(Vault::from_master(&bytes));
        }
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
        }
        write_private(&path, STANDARD.encode(key).as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        tracing::info!(path = %path.display(), "created a new personal-data key file; back it up with the database");
        Ok(Vault::from_master(&key))
    }

    pub fn encrypt(&self, plain: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        // Encryption with a valid key and nonce cannot fail for in-memory data.
        let ct = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .unwrap_or_default();
        let mut buf = nonce.to_vec();
        buf.extend_from_slice(&ct);
        format!("{PREFIX}{}", STANDARD.encode(buf))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String> {
        let body = stored
            .strip_prefix(PREFIX)
            .ok_or_else(|| AppError::internal("encrypted value has an unknown format"))?;
        let buf = STANDARD
            .decode(body)
            .map_err(|_| AppError::internal("encrypted value is not base64"))?;
        if buf.len() < 12 {
            return Err(AppError::internal("encrypted value is truncated"));
        }
        let (nonce, ct) = buf.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| AppError::internal("personal data cannot be decrypted with this key"))?;
        String::from_utf8(plain).map_err(|_| AppError::internal("decrypted value is not text"))
    }

    pub fn encrypt_opt(&self, v: Option<&str>) -> Option<String> {
        v.map(|s| self.encrypt(s))
    }

    pub fn decrypt_opt(&self, v: Option<&str>) -> Result<Option<String>> {
        v.map(|s| self.decrypt(s)).transpose()
    }

    /// Keyed hash of a normalized phone number, for exact-match search.
    /// The search key of a phone number (HMAC, so the index does not reveal numbers).
    pub fn phone_hash(&self, phone: &Phone) -> String {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.index_key).unwrap_or_else(|_| unreachable!());
        mac.update(phone.digits().as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

impl Vault {
    /// The signature of a link's message (HMAC-SHA-256, base64url): what makes a link
    /// sent outside (a survey's) impossible to guess or alter.
    pub fn sign(&self, message: &str) -> String {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.link_key).unwrap_or_else(|_| unreachable!());
        mac.update(message.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `signature` is the message's (compared in constant time).
    pub fn verify(&self, message: &str, signature: &str) -> bool {
        let Ok(sig) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.link_key).unwrap_or_else(|_| unreachable!());
        mac.update(message.as_bytes());
        mac.verify_slice(&sig).is_ok()
    }
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Refuses to run with a key that does not match the database's data; records the check
/// value on first run.
pub async fn check_key(db: &consign_store::Db, vault: &Vault) -> Result<()> {
    match consign_store::settings::get(&db.conn, CHECK_SETTING).await? {
        Some(v) => match vault.decrypt(&v) {
            Ok(p) if p == CHECK_PLAINTEXT => Ok(()),
            _ => Err(AppError::Config(
                "the personal-data key does not match this database (wrong key file or master_key)"
                    .into(),
            )),
        },
        None => {
            consign_store::settings::set(
                &db.conn,
                CHECK_SETTING,
                &vault.encrypt(CHECK_PLAINTEXT),
                None,
            )
            .await?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_tamper() {
        let v = Vault::from_master(&[7u8; 32]);
        let c = v.encrypt("13812345678");
        assert!(!c.contains("13812345678"));
        assert_ne!(c, v.encrypt("13812345678"), "nonces differ");
        assert_eq!(v.decrypt(&c).expect("decrypts"), "13812345678");
        let other = Vault::from_master(&[8u8; 32]);
        assert!(other.decrypt(&c).is_err());
        let p = Phone::parse("13812345678").expect("a mobile number");
        assert_eq!(v.phone_hash(&p), v.phone_hash(&p));
        assert_ne!(v.phone_hash(&p), other.phone_hash(&p));
    }

    #[test]
    fn key_file_created_private() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        let v1 = Vault::load(&s).expect("create");
        let c = v1.encrypt("x");
        let v2 = Vault::load(&s).expect("reload");
        assert_eq!(v2.decrypt(&c).expect("same key"), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(s.key_path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
