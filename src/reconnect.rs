//! The reconnection bridge: buffer outgoing messages while the socket is down, replay them after.
//!
//! *Not implemented yet (issue 6).* This module will hold `ReplayBuffer` (a 50-message ring per
//! connection, oldest dropped), the service-worker `Bridge` speaking djust's
//! `DJUST_BUFFER`/`DJUST_DRAIN` wire messages, the message-source gate, and an outbox and replay
//! guard that make at-least-once replay effectively-once.
