//! [`RedisReplayGuard`]: the async guard over a multiplexed, reconnecting connection.

use liveshell::reconnect::{ReplayWindow, Verdict};
use redis::RedisResult;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::keys::escape;
use crate::script::{Checker, decode, is_noscript, verdict};
use crate::{GuardError, GuardOptions};

/// A replay guard whose state lives in Redis, shared by every server of a fleet.
///
/// Answers exactly as [`liveshell::reconnect::ReplayGuard`] with the same client cap
/// (the crate docs give the one difference, the TTL), and every check is one atomic script
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
    checker: Checker,
}

impl RedisReplayGuard {
    /// Connects to the Redis at `url` (`redis://host:port/db`; TLS is not compiled in) and
    /// adopts the namespace's epoch, creating it if the namespace has none.
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
            checker: Checker::new(&options),
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
        let epoch = self.checker.epoch();
        let mut con = self.con.clone();
        let by_hash = self.checker.invocation(true, &escaped, seq, &epoch);
        let reply = match by_hash.query_async(&mut con).await {
            Err(error) if is_noscript(&error) => {
                let by_source = self.checker.invocation(false, &escaped, seq, &epoch);
                by_source.query_async(&mut con).await
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
        let epoch = self.checker.epoch();
        let mut con = self.con.clone();
        let pipeline = |indices: &[usize], by_hash: bool| {
            let mut pipe = redis::pipe();
            pipe.ignore_errors();
            for &i in indices {
                pipe.add_command(self.checker.invocation(
                    by_hash,
                    &escaped[i],
                    stamps[i].1,
                    &epoch,
                ));
            }
            pipe
        };
        let all: Vec<usize> = (0..stamps.len()).collect();
        let mut replies: Vec<RedisResult<i64>> = pipeline(&all, true).query_async(&mut con).await?;
        // A script cache flushed mid-pipeline fails a suffix with NOSCRIPT (those scripts did
        // not run): send that suffix again with the source, keeping the order.
        let missing: Vec<usize> = all
            .into_iter()
            .filter(|&i| replies[i].as_ref().is_err_and(is_noscript))
            .collect();
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
        let get = redis::cmd("GET").arg(self.client_key(client_id)).clone();
        let raw: Option<Vec<u8>> = get.query_async(&mut self.con.clone()).await?;
        raw.map(|bytes| decode(&bytes)).transpose()
    }

    /// How many clients the cap evicted in this namespace (clients that expired by the TTL
    /// are not counted).
    ///
    /// # Errors
    ///
    /// As [`acked`](Self::acked).
    pub async fn forgotten(&self) -> Result<u64, GuardError> {
        let get = redis::cmd("GET").arg(&self.checker.keys.forgotten).clone();
        let count: Option<u64> = get.query_async(&mut self.con.clone()).await?;
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
        let script = &self.checker.epoch_script;
        let epoch: String = script
            .key(&self.checker.keys.epoch)
            .invoke_async(&mut self.con.clone())
            .await?;
        self.checker.adopt(&epoch);
        Ok(())
    }

    /// The Redis key holding `client_id`'s state: `{namespace}:c:` and the id with every byte
    /// outside `A-Z a-z 0-9 - . _ ~` written as `%XX` (so `tab 1:{x}` is
    /// `{liveshell:replay}:c:tab%201%3A%7Bx%7D` in the default namespace).
    #[must_use]
    pub fn client_key(&self, client_id: &str) -> String {
        self.checker.client_key(client_id)
    }
}
