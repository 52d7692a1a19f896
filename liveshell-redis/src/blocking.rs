//! [`BlockingReplayGuard`]: the same guard for synchronous servers, on one connection.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use liveshell::reconnect::Verdict;
use redis::{Connection, RedisResult};

use crate::keys::escape;
use crate::script::{Checker, decode, is_noscript, verdict};
use crate::{GuardError, GuardOptions};

/// [`RedisReplayGuard`](crate::RedisReplayGuard) without an async runtime: the same script,
/// the same keys and the same answers, on one blocking connection.
///
/// Calls from several threads take turns on that connection (it sits behind a mutex), so
/// this suits a thread-per-request server; the async guard multiplexes instead. A connection
/// that fails is dropped and the next call opens a new one.
///
/// # Errors
///
/// As the async guard's methods: every error means the message must not be applied.
pub struct BlockingReplayGuard {
    client: redis::Client,
    con: Mutex<Option<Connection>>,
    checker: Checker,
    connect_timeout: Duration,
    response_timeout: Duration,
}

impl std::fmt::Debug for BlockingReplayGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingReplayGuard")
            .field("client", &self.client)
            .field("checker", &self.checker)
            .finish_non_exhaustive()
    }
}

impl BlockingReplayGuard {
    /// Connects to the Redis at `url` and adopts the namespace's epoch, as
    /// [`RedisReplayGuard::connect`](crate::RedisReplayGuard::connect).
    ///
    /// # Errors
    ///
    /// As [`RedisReplayGuard::connect`](crate::RedisReplayGuard::connect).
    pub fn connect(url: &str, options: GuardOptions) -> Result<Self, GuardError> {
        options.validate()?;
        let guard = Self {
            client: redis::Client::open(url).map_err(GuardError::Redis)?,
            con: Mutex::new(None),
            checker: Checker::new(&options),
            connect_timeout: options.connect_timeout,
            response_timeout: options.response_timeout,
        };
        guard.recover()?;
        Ok(guard)
    }

    /// Records `seq` from `client_id` and says whether it is a first delivery, as
    /// [`RedisReplayGuard::check`](crate::RedisReplayGuard::check).
    ///
    /// # Errors
    ///
    /// As [`RedisReplayGuard::check`](crate::RedisReplayGuard::check).
    pub fn check(&self, client_id: &str, seq: u64) -> Result<Verdict, GuardError> {
        let escaped = escape(client_id);
        let epoch = self.checker.epoch();
        let reply = self.with_connection(|con| {
            match self
                .checker
                .invocation(true, &escaped, seq, &epoch)
                .query(con)
            {
                Err(error) if is_noscript(&error) => self
                    .checker
                    .invocation(false, &escaped, seq, &epoch)
                    .query(con),
                reply => reply,
            }
        })?;
        verdict(reply)
    }

    /// The client's contiguous high-water mark, as
    /// [`RedisReplayGuard::acked`](crate::RedisReplayGuard::acked).
    ///
    /// # Errors
    ///
    /// As [`RedisReplayGuard::acked`](crate::RedisReplayGuard::acked).
    pub fn acked(&self, client_id: &str) -> Result<Option<u64>, GuardError> {
        let key = self.client_key(client_id);
        let raw: Option<Vec<u8>> =
            self.with_connection(|con| redis::cmd("GET").arg(&key).query(con))?;
        Ok(raw
            .map(|bytes| decode(&bytes))
            .transpose()?
            .map(|w| w.base()))
    }

    /// Adopts the namespace's current epoch, as
    /// [`RedisReplayGuard::recover`](crate::RedisReplayGuard::recover).
    ///
    /// # Errors
    ///
    /// As [`RedisReplayGuard::recover`](crate::RedisReplayGuard::recover).
    pub fn recover(&self) -> Result<(), GuardError> {
        let epoch: String = self.with_connection(|con| {
            self.checker
                .epoch_script
                .key(&self.checker.keys.epoch)
                .invoke(con)
        })?;
        self.checker.adopt(&epoch);
        Ok(())
    }

    /// The Redis key holding `client_id`'s state, as
    /// [`RedisReplayGuard::client_key`](crate::RedisReplayGuard::client_key).
    #[must_use]
    pub fn client_key(&self, client_id: &str) -> String {
        self.checker.client_key(client_id)
    }

    /// Runs `f` on the connection, opening one first if there is none, and drops the
    /// connection when Redis could not be asked over it.
    fn with_connection<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> RedisResult<T>,
    ) -> Result<T, GuardError> {
        let mut slot = self.con.lock().unwrap_or_else(PoisonError::into_inner);
        let con = match slot.take() {
            Some(con) => con,
            None => self.open()?,
        };
        let con = slot.insert(con);
        let result = f(con).map_err(GuardError::from);
        if matches!(result, Err(GuardError::Unavailable(_))) {
            *slot = None;
        }
        result
    }

    fn open(&self) -> Result<Connection, GuardError> {
        let con = self
            .client
            .get_connection_with_timeout(self.connect_timeout)?;
        con.set_read_timeout(Some(self.response_timeout))?;
        con.set_write_timeout(Some(self.response_timeout))?;
        Ok(con)
    }
}
