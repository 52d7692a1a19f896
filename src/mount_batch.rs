//! Mount batching: many lazy view mounts in one frame, per-view failures isolated.
//!
//! *Not implemented yet (issue 9).* This module will hold the client-side `MountBatcher` that
//! coalesces mounts into `mount_batch` frames within byte and view caps, the server-side request
//! parser and reply builder whose `failed[]` array isolates per-view failures, and the client
//! demultiplexer of replies.
