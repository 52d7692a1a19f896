//! [`RedisReplayGuard`]: the async guard over a multiplexed, reconnecting connection.

use std::sync::{Arc, PoisonError, RwLock};

use liveshell::reconnect::{ReplayWindow, Verdict};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, ErrorKind, RedisResult, Script, ServerErrorKind};

use crate::keys::{Keys, escape};
use crate::{GuardError, GuardOptions};

/// The check script: [`ReplayWindow::check`] on 32-bit limbs, plus the client cap.
pub(crate) const CHECK_LUA: &str = include_str!("check.lua");

/// Returns the namespace's epoch, creating it from the server's clock if missing.
const EPOCH_LUA: &str = "local e = redis.call('GET', KEYS[1]) \
    if e then return e end \
    local t = redis.call('TIME') \
    e = t[1] .. '.' .. t[2] \
    redis.call('SET', KEYS[1], e) \
    return e";

/// A replay guard whose state lives in Redis, shared by every server of a fleet.
///
/// Answers exactly as [`liveshell::reconnect::ReplayGuard`] with the same client cap
/// (see the crate docs for the one difference, the TTL), and every check is one atomic script
/// run, so guards on any number of connections and servers accept each `(client_id, seq)`
/// at most once between them. `check` takes `&self`: share one guard across tasks (it is
/// `Send + Sync`; its connection is multiplexed and reconnects on its own).
///
/// # Errors
///
/// Every method returns [`GuardError`] when Redis could not be asked or answered something
/// else: the guard never answers [`Verdict::Fresh`] without Redis having recorded it.
#[derive(Debug)]
pub struct RedisReplayGuard {
    con: ConnectionManager,
    keys: Keys,
    check: Script,
    epoch_script: Script,
    ttl_ms: u64,
    max_clients: usize,
    epoch: RwLock<Arc<str>>,
}

impl RedisReplayGuard {
    /// Connects to the Redis at `url` (`redis://host:port/db`, `rediss://…` is not compiled
    /// in) and adopts the namespace's epoch, creating it if the namespace has none.
    ///
    /// # Errors
    ///
    /// [`GuardError::Options`] if `options` do not validate, [`GuardError::Redis`] for a
    /// malformed URL, [`GuardError::Unavailable`] if Redis cannot be reached within
    /// [`connect_timeout`](GuardOptions::connect_timeout).
    pub async fn connect(url: &str, options: GuardOptions) -> Result<Self, GuardError> {
        options.validate()?;
        let client = redis::Client::open(url).map_err(GuardError::Redis)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.connect_timeout))
            .set_response_timeout(Some(options.response_timeout))
            .set_number_of_retries(1);
        let con = ConnectionManager::new_with_config(client, config).await?;
        let guard = Self {
            con,
            keys: Keys::new(&options.namespace),
            check: Script::new(CHECK_LUA),
            epoch_script: Script::new(EPOCH_LUA),
            ttl_ms: u64::try_from(options.ttl.as_millis()).expect("validate bounds the TTL"),
            max_clients: options.max_clients.get(),
            epoch: RwLock::new(Arc::from("")),
        };
        guard.recover().await?;
        Ok(guard)
    }

    /// Records `seq` from `client_id` and says whether it is a first delivery, in one atomic
    /// script run (`EVALSHA`, and `EVAL` when Redis answers `NOSCRIPT`).
    ///
    /// # Errors
    ///
    /// [`GuardError::Unavailable`] when Redis could not be asked (the message must not be
    /// applied; it may have been recorded), [`GuardError::StateLost`] when the namespace's
    /// epoch changed, [`GuardError::Redis`] or [`GuardError::Reply`] for a refused command or
    /// a client state another program wrote. Never `Ok(Verdict::Fresh)` in any of these cases.
    pub async fn check(&self, client_id: &str, seq: u64) -> Result<Verdict, GuardError> {
        let escaped = escape(client_id);
        let epoch = self.current_epoch();
        let mut con = self.con.clone();
        let reply = match self.invocation(true, &escaped, seq, &epoch).query_async(&mut con).await {
            Err(error) if is_noscript(&error) => {
                self.invocation(false, &escaped, seq, &epoch).query_async(&mut con).await
            }
            reply => reply,
        };
        verdict(reply?)
    }

    /// [`check`](Self::check) for many stamps in one pipeline: one round trip, each check
    /// still its own atomic script run, in order. The answers are in the order of `stamps`.
    ///
    /// # Errors
    ///
    /// The outer error when the pipeline as a whole failed (no answer is known; none may be
    /// applied); otherwise one result per stamp, as [`check`](Self::check) would return it.
    pub async fn check_many(
        &self,
        stamps: &[(&str, u64)],
    ) -> Result<Vec<Result<Verdict, GuardError>>, GuardError> {
        if stamps.is_empty() {
            return Ok(Vec::new());
        }
        let escaped: Vec<String> = stamps.iter().map(|(id, _)| escape(id)).collect();
        let epoch = self.current_epoch();
        let mut con = self.con.clone();
        let pipeline = |indices: &[usize], by_hash: bool| {
            let mut pipe = redis::pipe();
            pipe.ignore_errors();
            for &i in indices {
                pipe.add_command(self.invocation(by_hash, &escaped[i], stamps[i].1, &epoch));
            }
            pipe
        };
        let all: Vec<usize> = (0..stamps.len()).collect();
        let mut replies: Vec<RedisResult<i64>> =
            pipeline(&all, true).query_async(&mut con).await?;
        // A script cache flushed mid-pipeline fails a suffix with NOSCRIPT (those scripts did
        // not run): send that suffix again with the source, keeping the order.
        let missing: Vec<usize> = all.into_iter().filter(|&i| replies[i].as_ref().is_err_and(is_noscript)).collect();
        if !missing.is_empty() {
            let again: Vec<RedisResult<i64>> =
                pipeline(&missing, false).query_async(&mut con).await?;
            for (i, reply) in missing.into_iter().zip(again) {
                replies[i] = reply;
            }
        }
        Ok(replies.into_iter().map(|reply| verdict(reply?)).collect())
    }

    /// The highest `n` such that every `1..=n` from `client_id` was delivered: what to
    /// acknowledge to its [`Outbox`](liveshell::reconnect::Outbox). `None` for a client the
    /// namespace does not remember. Does not change recency or the TTL.
    ///
    /// # Errors
    ///
    /// As [`check`](Self::check), except that it does not compare epochs.
    pub async fn acked(&self, client_id: &str) -> Result<Option<u64>, GuardError> {
        Ok(self.window(client_id).await?.map(|w| w.base()))
    }

    /// The state of `client_id` as Redis holds it, for inspection and tests.
    ///
    /// # Errors
    ///
    /// As [`acked`](Self::acked); [`GuardError::Reply`] if the key does not hold 24 bytes.
    pub async fn window(&self, client_id: &str) -> Result<Option<ReplayWindow>, GuardError> {
        let key = self.client_key(client_id);
        let raw: Option<Vec<u8>> = redis::cmd("GET").arg(&key).query_async(&mut self.con.clone()).await?;
        raw.map(|bytes| decode(&bytes)).transpose()
    }

    /// How many clients the cap evicted in this namespace (clients that expired by the TTL
    /// are not counted).
    ///
    /// # Errors
    ///
    /// As [`acked`](Self::acked).
    pub async fn forgotten(&self) -> Result<u64, GuardError> {
        let count: Option<u64> = redis::cmd("GET").arg(&self.keys.forgotten).query_async(&mut self.con.clone()).await?;
        Ok(count.unwrap_or(0))
    }

    /// Adopts the namespace's current epoch (creating one if Redis has none), so that checks
    /// are answered again after [`GuardError::StateLost`].
    ///
    /// Call it only once you accept what was lost: every client the namespace forgot starts
    /// over, so replays of messages applied before the loss are answered
    /// [`Verdict::Fresh`] again.
    ///
    /// # Errors
    ///
    /// [`GuardError::Unavailable`] or [`GuardError::Redis`] if Redis could not be asked.
    pub async fn recover(&self) -> Result<(), GuardError> {
        let epoch: String = self
            .epoch_script
            .key(&self.keys.epoch)
            .invoke_async(&mut self.con.clone())
            .await?;
        *self.epoch.write().unwrap_or_else(PoisonError::into_inner) = Arc::from(epoch);
        Ok(())
    }

    /// The Redis key holding `client_id`'s state: `{namespace}:c:` and the id with every byte
    /// outside `A-Z a-z 0-9 - . _ ~` written as `%XX`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), liveshell_redis::GuardError> {
    /// # let guard = liveshell_redis::RedisReplayGuard::connect("redis://127.0.0.1:6379/", Default::default()).await?;
    /// assert_eq!(guard.client_key("tab 1:{x}"), "{liveshell:replay}:c:tab%201%3A%7Bx%7D");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn client_key(&self, client_id: &str) -> String {
        self.keys.client(&escape(client_id))
    }

    fn current_epoch(&self) -> Arc<str> {
        Arc::clone(&self.epoch.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The `EVALSHA` (or, with `by_hash` false, `EVAL`) command of one check.
    fn invocation(&self, by_hash: bool, escaped: &str, seq: u64, epoch: &str) -> Cmd {
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
}

fn is_noscript(error: &redis::RedisError) -> bool {
    error.kind() == ErrorKind::Server(ServerErrorKind::NoScript)
}

/// The script's answer as a verdict: 1 fresh, 0 duplicate, -1 another epoch.
fn verdict(reply: i64) -> Result<Verdict, GuardError> {
    match reply {
        1 => Ok(Verdict::Fresh),
        0 => Ok(Verdict::Duplicate),
        -1 => Err(GuardError::StateLost),
        other => Err(GuardError::Reply { reply: other.to_string() }),
    }
}

/// A client's 24-byte state as the script writes it.
fn decode(bytes: &[u8]) -> Result<ReplayWindow, GuardError> {
    let (base, seen) = bytes
        .split_first_chunk::<8>()
        .and_then(|(base, rest)| Some((base, <[u8; 16]>::try_from(rest).ok()?)))
        .ok_or_else(|| GuardError::Reply { reply: format!("a client state of {} bytes", bytes.len()) })?;
    Ok(ReplayWindow::from_parts(u64::from_be_bytes(*base), u128::from_be_bytes(seen)))
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
}
