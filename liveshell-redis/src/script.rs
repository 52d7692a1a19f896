//! What the async and the blocking guard share: the scripts, the commands that run them, and
//! how their answers read.

use std::sync::{Arc, PoisonError, RwLock};

use liveshell::reconnect::{ReplayWindow, Verdict};
use redis::{Cmd, ErrorKind, RedisError, Script, ServerErrorKind};

use crate::keys::{Keys, escape};
use crate::{GuardError, GuardOptions};

/// The check script: [`ReplayWindow::check`] on 32-bit limbs, plus the client cap.
const CHECK_LUA: &str = include_str!("check.lua");

/// Returns the namespace's epoch, creating it from the server's clock if missing.
const EPOCH_LUA: &str = "local e = redis.call('GET', KEYS[1]) \
    if e then return e end \
    local t = redis.call('TIME') \
    e = t[1] .. '.' .. t[2] \
    redis.call('SET', KEYS[1], e) \
    return e";

/// One namespace's scripts, limits and adopted epoch.
#[derive(Debug)]
pub(crate) struct Checker {
    pub(crate) keys: Keys,
    check: Script,
    pub(crate) epoch_script: Script,
    ttl_ms: u64,
    max_clients: usize,
    epoch: RwLock<Arc<str>>,
}

impl Checker {
    /// The checker of validated `options`; its epoch is empty until [`adopt`](Self::adopt).
    pub(crate) fn new(options: &GuardOptions) -> Self {
        Self {
            keys: Keys::new(&options.namespace),
            check: Script::new(CHECK_LUA),
            epoch_script: Script::new(EPOCH_LUA),
            ttl_ms: u64::try_from(options.ttl.as_millis()).expect("validate bounds the TTL"),
            max_clients: options.max_clients.get(),
            epoch: RwLock::new(Arc::from("")),
        }
    }

    /// The epoch the checks are made under.
    pub(crate) fn epoch(&self) -> Arc<str> {
        Arc::clone(&self.epoch.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Makes `epoch` (the epoch script's answer) the one checks are made under.
    pub(crate) fn adopt(&self, epoch: &str) {
        *self.epoch.write().unwrap_or_else(PoisonError::into_inner) = Arc::from(epoch);
    }

    /// The `EVALSHA` command of one check, or with `by_hash` false the `EVAL` one.
    pub(crate) fn invocation(&self, by_hash: bool, escaped: &str, seq: u64, epoch: &str) -> Cmd {
        let mut cmd = if by_hash {
            let mut cmd = redis::cmd("EVALSHA");
            cmd.arg(self.check.get_hash());
            cmd
        } else {
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(CHECK_LUA);
            cmd
        };
        cmd.arg(5)
            .arg(self.keys.client(escaped))
            .arg(&self.keys.lru)
            .arg(&self.keys.tick)
            .arg(&self.keys.forgotten)
            .arg(&self.keys.epoch)
            .arg(seq >> 32)
            .arg(seq & 0xffff_ffff)
            .arg(escaped)
            .arg(&self.keys.client_prefix)
            .arg(self.ttl_ms)
            .arg(self.max_clients)
            .arg(epoch);
        cmd
    }

    /// The key holding `client_id`'s state.
    pub(crate) fn client_key(&self, client_id: &str) -> String {
        self.keys.client(&escape(client_id))
    }
}

/// Whether Redis refused an `EVALSHA` because its script cache does not hold the script (it
/// did not run).
pub(crate) fn is_noscript(error: &RedisError) -> bool {
    error.kind() == ErrorKind::Server(ServerErrorKind::NoScript)
}

/// The check script's answer as a verdict: 1 fresh, 0 duplicate, -1 another epoch.
pub(crate) fn verdict(reply: i64) -> Result<Verdict, GuardError> {
    match reply {
        1 => Ok(Verdict::Fresh),
        0 => Ok(Verdict::Duplicate),
        -1 => Err(GuardError::StateLost),
        other => Err(GuardError::Reply {
            reply: other.to_string(),
        }),
    }
}

/// A client's 24-byte state as the check script writes it.
pub(crate) fn decode(bytes: &[u8]) -> Result<ReplayWindow, GuardError> {
    let (base, seen) = bytes
        .split_first_chunk::<8>()
        .and_then(|(base, rest)| Some((base, <[u8; 16]>::try_from(rest).ok()?)))
        .ok_or_else(|| GuardError::Reply {
            reply: format!("a client state of {} bytes", bytes.len()),
        })?;
    Ok(ReplayWindow::from_parts(
        u64::from_be_bytes(*base),
        u128::from_be_bytes(seen),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_decode_as_the_script_encodes_them() {
        let mut bytes = 7u64.to_be_bytes().to_vec();
        bytes.extend_from_slice(&0b100u128.to_be_bytes());
        assert_eq!(decode(&bytes).unwrap(), ReplayWindow::from_parts(7, 0b100));
        assert!(matches!(decode(&bytes[1..]), Err(GuardError::Reply { .. })));
    }

    #[test]
    fn only_the_three_answers_are_verdicts() {
        assert_eq!(verdict(1).unwrap(), Verdict::Fresh);
        assert_eq!(verdict(0).unwrap(), Verdict::Duplicate);
        assert!(matches!(verdict(-1), Err(GuardError::StateLost)));
        assert!(matches!(verdict(2), Err(GuardError::Reply { .. })));
    }

    #[test]
    fn the_sequence_number_travels_as_two_exact_halves() {
        let checker = Checker::new(&GuardOptions::default());
        let cmd = checker.invocation(true, "c", u64::MAX - 1, "e");
        let args: Vec<String> = cmd
            .args_iter()
            .map(|a| match a {
                redis::Arg::Simple(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(args[8..10], ["4294967295", "4294967294"]);
    }
}
