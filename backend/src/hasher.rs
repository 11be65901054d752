//! Password hashing with bounded cost: argon2id runs on a few threads of its own (one per
//! core but one), each keeping its own 19 MiB of argon2 memory for good, fed through a short queue.
//! When every thread is busy and the queue is full, a sign-in is answered at once with 429
//! instead of waiting — so a burst of sign-ins costs a fixed amount of memory and at most a
//! core per thread, and the server keeps answering everyone else.
//!
//! (Hashing on the general blocking pool, as before, let a burst of 40 wrong sign-ins start
//! 40 hashes at once: 19 MiB each, kept by the allocator afterwards.)

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::rngs::OsRng;
use tokio::sync::oneshot;

/// The largest argon2 memory cost accepted from a stored hash (KiB): a hash asking for more
/// is treated as a mismatch rather than allocated.
const MAX_M_COST: u32 = 256 * 1024;

/// Why a hashing job was not done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashError {
    /// Every hashing thread is busy and the queue is full: try again shortly.
    Busy,
    /// The hasher failed (a bug): the message says how.
    Failed(String),
}

/// The hashing threads and the queue in front of them. Cheap to clone; the threads end when
/// the last clone is dropped.
#[derive(Debug, Clone)]
pub struct Hasher {
    queue: SyncSender<Job>,
    threads: usize,
    /// Jobs running or queued, against `capacity` (threads + queue).
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
    capacity: usize,
}

/// A place in the hasher, taken before the slow work around a hash (the database look-ups of
/// a sign-in), so that a request the hasher could not take is turned away before doing any
/// of it. Given back when dropped.
#[derive(Debug)]
pub struct HashPermit {
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
}

impl Drop for HashPermit {
    fn drop(&mut self) {
        self.in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

enum Work {
    Hash(String),
    Verify { password: String, hash: String },
}

enum Done {
    Hashed(String),
    Verified(bool),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Result<Done, String>>,
}

impl Hasher {
    /// `threads` hashing threads (at least one) and room for `queued` jobs waiting for them.
    pub fn new(threads: usize, queued: usize) -> Hasher {
        let threads = threads.max(1);
        let (queue, jobs) = sync_channel::<Job>(queued);
        let jobs = Arc::new(Mutex::new(jobs));
        for i in 0..threads {
            let jobs = Arc::clone(&jobs);
            let spawned = std::thread::Builder::new()
                .name(format!("concord-hash-{i}"))
                .spawn(move || worker(&jobs));
            if let Err(e) = spawned {
                tracing::error!("could not start a hashing thread: {e}");
            }
        }
        Hasher {
            queue,
            threads,
            in_flight: Arc::default(),
            capacity: threads + queued,
        }
    }

    /// A place for one job, or `None` when the threads and the queue are all taken.
    pub fn try_reserve(&self) -> Option<HashPermit> {
        use std::sync::atomic::Ordering;
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            })
            .ok()
            .map(|_| HashPermit {
                in_flight: Arc::clone(&self.in_flight),
            })
    }

    /// One thread per core but one (which stays free to answer everyone else), and a queue
    /// of two jobs per core.
    pub fn for_this_machine() -> Hasher {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Hasher::new(cores.saturating_sub(1).max(1), cores * 2)
    }

    /// How many hashes can run at once.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Hashes a password (argon2id, default parameters, random salt) as a PHC string.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        match self.run(Work::Hash(password)).await? {
            Done::Hashed(h) => Ok(h),
            Done::Verified(_) => Err(HashError::Failed("unexpected answer".to_owned())),
        }
    }

    /// Whether `password` matches the stored PHC string `hash` (a malformed hash never does).
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, HashError> {
        match self.run(Work::Verify { password, hash }).await? {
            Done::Verified(ok) => Ok(ok),
            Done::Hashed(_) => Err(HashError::Failed("unexpected answer".to_owned())),
        }
    }

    async fn run(&self, work: Work) -> Result<Done, HashError> {
        let (reply, answer) = oneshot::channel();
        match self.queue.try_send(Job { work, reply }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(HashError::Busy),
            Err(TrySendError::Disconnected(_)) => {
                return Err(HashError::Failed("the hashing threads stopped".to_owned()));
            }
        }
        answer
            .await
            .map_err(|_| HashError::Failed("a hashing thread stopped".to_owned()))?
            .map_err(HashError::Failed)
    }
}

/// A hashing thread: takes jobs until the hasher is dropped, reusing its argon2 memory.
fn worker(jobs: &Mutex<Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = {
            let jobs = jobs.lock().unwrap_or_else(PoisonError::into_inner);
            jobs.recv()
        };
        let Ok(job) = job else { return };
        let done = match job.work {
            Work::Hash(password) => hash_with(&mut memory, &password).map(Done::Hashed),
            Work::Verify { password, hash } => {
                Ok(Done::Verified(verify_with(&mut memory, &password, &hash)))
            }
        };
        // The requester may have gone (a closed connection): nothing to tell then.
        let _ = job.reply.send(done);
    }
}

/// `memory` grown to at least `blocks` blocks, as a slice of exactly that many.
fn blocks(memory: &mut Vec<Block>, blocks: usize) -> &mut [Block] {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    &mut memory[..blocks]
}

/// Hashes `password` with argon2id's default parameters into a PHC string.
pub fn hash_with(memory: &mut Vec<Block>, password: &str) -> Result<String, String> {
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_raw,
            &mut out,
            blocks(memory, params.block_count()),
        )
        .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(|e| format!("{e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`; the comparison is constant-time.
pub fn verify_with(memory: &mut Vec<Block>, password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(algorithm), Some(expected), Some(salt)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed.hash,
        parsed.salt,
    ) else {
        return false;
    };
    let version = parsed
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .unwrap_or(Version::V0x13);
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    if params.m_cost() > MAX_M_COST {
        return false;
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    if argon
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_raw,
            &mut out,
            blocks(memory, params.block_count()),
        )
        .is_err()
    {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier as _;

    #[test]
    fn a_hash_verifies_its_password_only_and_reads_as_standard_argon2id() {
        let mut memory = Vec::new();
        let Ok(hash) = hash_with(&mut memory, "correct horse") else {
            panic!("hashing failed");
        };
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_with(&mut memory, "correct horse", &hash));
        assert!(!verify_with(&mut memory, "correct horsE", &hash));
        assert!(!verify_with(&mut memory, "correct horse", "not a hash"));
        // The standard verifier agrees, so stored hashes stay portable.
        let Ok(parsed) = PasswordHash::new(&hash) else {
            panic!("unparsable {hash}");
        };
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let hasher = Hasher::new(1, 1);
        let jobs: Vec<_> = (0..6)
            .map(|i| {
                let h = hasher.clone();
                tokio::spawn(async move { h.hash(format!("password {i}")).await })
            })
            .collect();
        let mut busy = 0;
        let mut hashed = 0;
        for job in jobs {
            match job.await {
                Ok(Ok(_)) => hashed += 1,
                Ok(Err(HashError::Busy)) => busy += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(hashed >= 1, "{hashed} hashed");
        assert!(busy >= 1, "{busy} busy");
        assert_eq!(hashed + busy, 6);
    }
}
