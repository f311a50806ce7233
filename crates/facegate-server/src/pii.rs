//! Personal data at rest: AES-256-GCM with a key id in every ciphertext, so keys can rotate.
//!
//! Layout: `b"fg1"`, key-id length (1 byte), key id, 12-byte random nonce, ciphertext+tag. The
//! associated data is the row's id, so a ciphertext copied onto another row does not decrypt.

use std::collections::HashMap;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

const MAGIC: &[u8] = b"fg1";

/// Why a key or a ciphertext was refused.
#[derive(Debug, thiserror::Error)]
pub enum PiiError {
    #[error("a PII key must be 32 bytes in standard base64")]
    BadKey,
    #[error("the PII key file could not be read or written: {0}")]
    KeyFile(#[source] std::io::Error),
    #[error("no PII key is configured (set FACEGATE_PII_KEY; development generates one)")]
    Missing,
    #[error("a stored ciphertext could not be decrypted (wrong key or tampered)")]
    Decrypt,
    #[error("a stored ciphertext names key `{0}`, which is not configured")]
    UnknownKey(String),
}

/// Encrypts and decrypts personal data.
#[derive(Clone)]
pub struct PiiCipher {
    current_id: String,
    keys: HashMap<String, Aes256Gcm>,
    /// HMAC keys for equality lookups (see [`PiiCipher::subject_digest`]), current first.
    digest_keys: Vec<(String, [u8; 32])>,
}

impl std::fmt::Debug for PiiCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PiiCipher")
            .field("current_id", &self.current_id)
            .finish_non_exhaustive()
    }
}

fn decode_key(encoded: &str) -> Result<[u8; 32], PiiError> {
    let bytes = STANDARD
        .decode(encoded.trim())
        .map_err(|_| PiiError::BadKey)?;
    bytes.try_into().map_err(|_| PiiError::BadKey)
}

/// The key's id: the first 8 hex digits of its SHA-256 (names the key, reveals nothing).
fn key_id(key: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(key)[..4])
}

impl PiiCipher {
    /// `current` encrypts; `current` and `previous` decrypt.
    pub fn new(current: &SecretString, previous: &[SecretString]) -> Result<Self, PiiError> {
        let current = decode_key(current.expose_secret())?;
        let current_id = key_id(&current);
        let mut keys = HashMap::new();
        let mut digest_keys = vec![(current_id.clone(), digest_key(&current))];
        for key in previous {
            let key = decode_key(key.expose_secret())?;
            keys.insert(key_id(&key), Aes256Gcm::new(&key.into()));
            digest_keys.push((key_id(&key), digest_key(&key)));
        }
        keys.insert(current_id.clone(), Aes256Gcm::new(&current.into()));
        Ok(Self {
            current_id,
            keys,
            digest_keys,
        })
    }

    /// Reads `path`, or writes a fresh random key there (mode 0600) when it does not exist.
    pub fn load_or_generate(path: &Path) -> Result<(Self, bool), PiiError> {
        let (encoded, created) = match std::fs::read_to_string(path) {
            Ok(text) => (text, false),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut key);
                let encoded = STANDARD.encode(key);
                write_private(path, encoded.as_bytes()).map_err(PiiError::KeyFile)?;
                (encoded, true)
            }
            Err(error) => return Err(PiiError::KeyFile(error)),
        };
        Ok((Self::new(&SecretString::from(encoded), &[])?, created))
    }

    pub fn encrypt(&self, plaintext: &str, row_id: &str) -> Vec<u8> {
        self.seal(plaintext.as_bytes(), row_id)
    }

    pub fn decrypt(&self, data: &[u8], row_id: &str) -> Result<String, PiiError> {
        String::from_utf8(self.open(data, row_id)?).map_err(|_| PiiError::Decrypt)
    }

    /// The keyed hash of a normalised value (an ID number) under the current key, with that
    /// key's id: equality lookups without the plaintext. The HMAC key is derived from the PII
    /// key, so it rotates with it.
    pub fn subject_digest(&self, normalised: &str) -> (String, Vec<u8>) {
        let (id, key) = &self.digest_keys[0];
        (id.clone(), hmac_sha256(key, normalised))
    }

    /// The digests of `normalised` under every configured key (current and previous): what a
    /// lookup matches, so sessions stored before a rotation are still found.
    pub fn subject_digests(&self, normalised: &str) -> Vec<Vec<u8>> {
        self.digest_keys
            .iter()
            .map(|(_, key)| hmac_sha256(key, normalised))
            .collect()
    }

    /// Encrypts bytes (an image) with `aad` bound to the row, in the layout above.
    pub fn seal(&self, plaintext: &[u8], aad: &str) -> Vec<u8> {
        let row_id = aad;
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let cipher = &self.keys[&self.current_id];
        // Encryption with a valid key and a 12-byte nonce cannot fail for inputs under 64 GiB.
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: row_id.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out =
            Vec::with_capacity(MAGIC.len() + 1 + self.current_id.len() + 12 + sealed.len());
        out.extend_from_slice(MAGIC);
        out.push(self.current_id.len() as u8);
        out.extend_from_slice(self.current_id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts what [`PiiCipher::seal`] made for the same `aad`.
    pub fn open(&self, data: &[u8], aad: &str) -> Result<Vec<u8>, PiiError> {
        let row_id = aad;
        let rest = data.strip_prefix(MAGIC).ok_or(PiiError::Decrypt)?;
        let (&id_len, rest) = rest.split_first().ok_or(PiiError::Decrypt)?;
        let id_len = usize::from(id_len);
        if rest.len() < id_len + 12 {
            return Err(PiiError::Decrypt);
        }
        let (id, rest) = rest.split_at(id_len);
        let id = std::str::from_utf8(id).map_err(|_| PiiError::Decrypt)?;
        let (nonce, sealed) = rest.split_at(12);
        let cipher = self
            .keys
            .get(id)
            .ok_or_else(|| PiiError::UnknownKey(id.to_owned()))?;
        let plain = cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: row_id.as_bytes(),
                },
            )
            .map_err(|_| PiiError::Decrypt)?;
        Ok(plain)
    }
}

/// The subject-digest HMAC key of a PII key: HMAC-SHA256(pii key, a fixed label), so the
/// encryption key itself is never used as a MAC key.
fn digest_key(key: &[u8; 32]) -> [u8; 32] {
    let derived = hmac_sha256(key, "facegate subject digest v1");
    let mut out = [0u8; 32];
    out.copy_from_slice(&derived);
    out
}

fn hmac_sha256(key: &[u8], message: &str) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Writes a file readable by its owner only.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretString {
        SecretString::from(STANDARD.encode([byte; 32]))
    }

    #[test]
    fn round_trips_and_binds_the_row() {
        let cipher = PiiCipher::new(&key(1), &[]).unwrap();
        let sealed = cipher.encrypt("110101199003074514", "vs_a");
        assert!(!sealed.windows(6).any(|w| w == b"110101"));
        assert_eq!(
            cipher.decrypt(&sealed, "vs_a").unwrap(),
            "110101199003074514"
        );
        assert!(matches!(
            cipher.decrypt(&sealed, "vs_b"),
            Err(PiiError::Decrypt)
        ));
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(cipher.decrypt(&tampered, "vs_a").is_err());
    }

    #[test]
    fn old_keys_still_decrypt_after_rotation() {
        let old = PiiCipher::new(&key(1), &[]).unwrap();
        let sealed = old.encrypt("张三", "vs_a");
        let rotated = PiiCipher::new(&key(2), &[key(1)]).unwrap();
        assert_eq!(rotated.decrypt(&sealed, "vs_a").unwrap(), "张三");
        let fresh = rotated.encrypt("张三", "vs_a");
        assert!(matches!(
            old.decrypt(&fresh, "vs_a"),
            Err(PiiError::UnknownKey(_))
        ));
    }

    #[test]
    fn subject_digests_are_keyed_stable_and_survive_rotation() {
        let old = PiiCipher::new(&key(1), &[]).unwrap();
        let (old_id, digest) = old.subject_digest("110101199003074514");
        assert_eq!(digest.len(), 32);
        assert_eq!(old.subject_digest("110101199003074514").1, digest);
        assert_ne!(old.subject_digest("11010119900307451X").1, digest);
        // Not a plain hash: another key gives another digest.
        let other = PiiCipher::new(&key(3), &[]).unwrap();
        assert_ne!(other.subject_digest("110101199003074514").1, digest);
        assert_ne!(
            Sha256::digest(b"110101199003074514").to_vec(),
            digest,
            "keyed, not a bare SHA-256"
        );
        let rotated = PiiCipher::new(&key(2), &[key(1)]).unwrap();
        let (new_id, fresh) = rotated.subject_digest("110101199003074514");
        assert_ne!(new_id, old_id);
        let all = rotated.subject_digests("110101199003074514");
        assert_eq!(all.len(), 2);
        assert!(all.contains(&digest) && all.contains(&fresh));
    }

    #[test]
    fn bytes_seal_and_bind_their_row() {
        let cipher = PiiCipher::new(&key(1), &[]).unwrap();
        let image = b"\xFF\xD8\xFFsome jpeg bytes".to_vec();
        let sealed = cipher.seal(&image, "md_1/vs_a");
        assert!(!sealed.windows(10).any(|w| w == b"some jpeg "));
        assert_eq!(cipher.open(&sealed, "md_1/vs_a").unwrap(), image);
        assert!(cipher.open(&sealed, "md_2/vs_a").is_err());
    }

    #[test]
    fn generated_key_files_are_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pii.key");
        let (first, created) = PiiCipher::load_or_generate(&path).unwrap();
        assert!(created);
        let (second, created) = PiiCipher::load_or_generate(&path).unwrap();
        assert!(!created);
        assert_eq!(second.decrypt(&first.encrypt("x", "r"), "r").unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(PiiCipher::new(&SecretString::from("short".to_owned()), &[]).is_err());
    }
}
