//! Encryption at rest for secrets Atrium must keep, such as Microsoft refresh tokens:
//! ChaCha20-Poly1305 with a random nonce per value, keyed by `ATRIUM_SECRET_KEY` (32 bytes,
//! base64). Tampering, or the wrong key, fails to open rather than yielding garbage.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(***)")
    }
}

/// Why the server's key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("ATRIUM_SECRET_KEY must be base64 (for example from `openssl rand -base64 32`)")]
    NotBase64,
    #[error("ATRIUM_SECRET_KEY must decode to 32 bytes, not {0}")]
    WrongLength(usize),
    #[error("{path}: {reason}")]
    InFile { path: String, reason: Box<KeyError> },
    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
}

/// Why a sealed value could not be opened.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("sealed value is not base64")]
    NotBase64,
    #[error("sealed value is too short")]
    TooShort,
    #[error("sealed value was altered or the key changed")]
    Altered,
    #[error("sealed value is not text")]
    NotText,
    #[error("there is nothing sealed to open")]
    Missing,
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

impl Sealer {
    /// From the base64 of 32 random bytes (`openssl rand -base64 32`).
    pub fn from_base64(key: &str) -> Result<Self, KeyError> {
        let bytes = B64.decode(key.trim()).map_err(|_| KeyError::NotBase64)?;
        if bytes.len() != 32 {
            return Err(KeyError::WrongLength(bytes.len()));
        }
        Ok(Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&bytes)),
        })
    }

    /// A random key, as `from_base64` reads it.
    pub fn generate_base64() -> String {
        B64.encode(rand::random::<[u8; 32]>())
    }

    /// The key kept in the file at `path`, made (readable by the owner only) if there is none.
    /// For a single SQLite install without `ATRIUM_SECRET_KEY`.
    pub fn load_or_create(path: &std::path::Path) -> Result<Self, KeyError> {
        let shown = path.display().to_string();
        let io = |action: &'static str| {
            let path = shown.clone();
            move |source| KeyError::Io { action, path, source }
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                return Self::from_base64(&text).map_err(|e| KeyError::InFile {
                    path: shown,
                    reason: Box::new(e),
                })
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io("read")(e)),
            Err(_) => {}
        }
        let key = Self::generate_base64();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                use std::io::Write;
                file.write_all(key.as_bytes()).and_then(|_| file.sync_all()).map_err(io("write"))?;
                Self::from_base64(&key)
            }
            // Another process made it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::load_or_create(path),
            Err(e) => Err(io("create")(e)),
        }
    }

    pub fn seal(&self, plaintext: &str) -> String {
        let nonce: [u8; 12] = rand::random();
        let mut out = nonce.to_vec();
        out.extend(
            self.cipher
                .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
                .expect("encryption of a string cannot fail"),
        );
        B64.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let bytes = B64.decode(sealed).map_err(|_| SealError::NotBase64)?;
        if bytes.len() < 12 + 16 {
            return Err(SealError::TooShort);
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| SealError::Altered)?;
        String::from_utf8(plain).map_err(|_| SealError::NotText)
    }
}

/// Hex SHA-256 of a secret: what is stored in place of session, token and link secrets.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether two secrets are equal, in time that depends on neither their contents nor their
/// lengths: their SHA-256 digests (fixed size) are compared with `subtle`.
pub fn same_secret(a: &str, b: &str) -> bool {
    use sha2::Digest;
    use subtle::ConstantTimeEq;
    let (a, b) = (sha2::Sha256::digest(a.as_bytes()), sha2::Sha256::digest(b.as_bytes()));
    a.as_slice().ct_eq(b.as_slice()).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_secret_compares_whole_values() {
        assert!(super::same_secret("csrf-token-1", "csrf-token-1"));
        assert!(!super::same_secret("csrf-token-1", "csrf-token-2"));
        assert!(!super::same_secret("csrf-token-1", "csrf-token-10"));
        assert!(!super::same_secret("", "x"));
    }

    use super::*;

    fn key(byte: u8) -> String {
        B64.encode([byte; 32])
    }

    #[test]
    fn seals_and_opens() {
        let s = Sealer::from_base64(&key(7)).unwrap();
        let a = s.seal("refresh-token-value");
        let b = s.seal("refresh-token-value");
        assert_ne!(a, b, "a fresh nonce every time");
        assert!(!a.contains("refresh"));
        assert_eq!(s.open(&a).unwrap(), "refresh-token-value");
    }

    #[test]
    fn a_key_file_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let a = Sealer::load_or_create(&path).unwrap();
        let b = Sealer::load_or_create(&path).unwrap();
        assert_eq!(b.open(&a.seal("x")).unwrap(), "x", "the same key the second time");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "garbage").unwrap();
        assert!(Sealer::load_or_create(&path).unwrap_err().to_string().contains("secret.key"));
    }

    #[test]
    fn refuses_tampering_and_other_keys() {
        let s = Sealer::from_base64(&key(7)).unwrap();
        let sealed = s.seal("secret");
        let mut bytes = B64.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(s.open(&B64.encode(&bytes)).is_err());
        assert!(Sealer::from_base64(&key(8)).unwrap().open(&sealed).is_err());
        assert!(Sealer::from_base64("short").is_err());
        assert!(Sealer::from_base64(&B64.encode([1u8; 16]))
            .unwrap_err()
            .to_string()
            .contains("32 bytes"));
    }
}
