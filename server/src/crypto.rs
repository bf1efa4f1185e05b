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

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

impl Sealer {
    /// From the base64 of 32 random bytes (`openssl rand -base64 32`).
    pub fn from_base64(key: &str) -> Result<Self, String> {
        let bytes = B64
            .decode(key.trim())
            .map_err(|_| "ATRIUM_SECRET_KEY must be base64 (for example from `openssl rand -base64 32`)".to_string())?;
        if bytes.len() != 32 {
            return Err(format!("ATRIUM_SECRET_KEY must decode to 32 bytes, not {}", bytes.len()));
        }
        Ok(Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&bytes)),
        })
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

    pub fn open(&self, sealed: &str) -> Result<String, String> {
        let bytes = B64.decode(sealed).map_err(|_| "sealed value is not base64".to_string())?;
        if bytes.len() < 12 + 16 {
            return Err("sealed value is too short".into());
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| "sealed value was altered or the key changed".to_string())?;
        String::from_utf8(plain).map_err(|_| "sealed value is not text".to_string())
    }
}

#[cfg(test)]
mod tests {
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
    fn refuses_tampering_and_other_keys() {
        let s = Sealer::from_base64(&key(7)).unwrap();
        let sealed = s.seal("secret");
        let mut bytes = B64.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(s.open(&B64.encode(&bytes)).is_err());
        assert!(Sealer::from_base64(&key(8)).unwrap().open(&sealed).is_err());
        assert!(Sealer::from_base64("short").is_err());
        assert!(Sealer::from_base64(&B64.encode([1u8; 16])).unwrap_err().contains("32 bytes"));
    }
}
