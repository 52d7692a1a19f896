//! The server side: reading a `mount_batch` request and building its one reply.

use serde_json::{Map, Value};

use super::wire::{Failure, MountRequest, Reply};

/// Why a whole `mount_batch` request was refused; no entry is mounted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The bytes are not JSON (or, from [`Reply::from_json`](super::Reply::from_json), not a reply).
    #[error("mount_batch: invalid json: {message}")]
    Json {
        /// serde_json's description, with line and column.
        message: String,
    },
    /// The JSON is not an object.
    #[error("mount_batch: the frame is not a dict")]
    NotAnObject,
    /// The frame's `type` is present and not `mount_batch`.
    #[error("mount_batch: the frame's type is {found}, not mount_batch")]
    WrongType {
        /// The `type` value found, as JSON.
        found: String,
    },
    /// `views` is present and not a list (djust's exact text).
    #[error("mount_batch: 'views' must be a list")]
    ViewsNotAList,
}

/// Why one entry of a `mount_batch` request cannot be mounted; the other entries are unaffected.
///
/// Record it in the reply with [`ReplyBuilder::failed_entry`], which keeps the text and the
/// [`code`](Self::code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    /// The entry is not a JSON object (djust's exact text).
    #[error("mount_batch entry is not a dict")]
    NotAnObject,
    /// The entry has no `view`, or it is not a non-empty string.
    #[error("mount_batch entry has no view")]
    MissingView {
        /// The entry's `target_id`, empty if it had none.
        target_id: String,
    },
    /// A field has the wrong JSON type.
    #[error("mount_batch entry field `{field}` has the wrong type")]
    InvalidField {
        /// The entry's `target_id`, empty if it had none or it was the invalid field.
        target_id: String,
        /// The entry's `view`, empty if it had none.
        view: String,
        /// The invalid field's name.
        field: &'static str,
    },
}

impl EntryError {
    /// The target id the entry named, empty when unknown.
    #[must_use]
    pub fn target_id(&self) -> &str {
        match self {
            Self::NotAnObject => "",
            Self::MissingView { target_id } | Self::InvalidField { target_id, .. } => target_id,
        }
    }

    /// The view the entry named, empty when unknown.
    #[must_use]
    pub fn view(&self) -> &str {
        match self {
            Self::NotAnObject | Self::MissingView { .. } => "",
            Self::InvalidField { view, .. } => view,
        }
    }

    /// The machine-readable code written beside the error text: `not_a_dict`, `missing_view` or
    /// `invalid_field`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAnObject => "not_a_dict",
            Self::MissingView { .. } => "missing_view",
            Self::InvalidField { .. } => "invalid_field",
        }
    }
}

/// Reads a `mount_batch` request: one result per entry, in order.
///
/// A missing `views` is an empty batch. When the frame has a non-empty string
/// `client_timezone`, every entry without its own gets a copy (djust's rule). An entry that is
/// not an object, has no `view`, or has a field of the wrong type is an [`EntryError`] in its
/// place; the others are still returned. Unknown fields are kept in
/// [`MountRequest::extra`].
///
/// # Errors
///
/// [`BatchError`] when the frame as a whole is unusable: not JSON, not an object, a `type`
/// other than `mount_batch`, or `views` not a list.
///
/// # Examples
///
/// ```
/// use liveshell::mount_batch::{parse_request, EntryError};
///
/// let json = br#"{"type":"mount_batch","client_timezone":"Europe/Paris",
///     "views":[{"view":"app.views.Cart","target_id":"cart"}, 1]}"#;
/// let entries = parse_request(json).unwrap();
/// let cart = entries[0].as_ref().unwrap();
/// assert_eq!(cart.target_id(), "cart");
/// assert_eq!(cart.client_timezone(), Some("Europe/Paris"));
/// assert_eq!(entries[1], Err(EntryError::NotAnObject));
/// ```
pub fn parse_request(json: &[u8]) -> Result<Vec<Result<MountRequest, EntryError>>, BatchError> {
    let frame: Value = serde_json::from_slice(json).map_err(|e| BatchError::Json {
        message: e.to_string(),
    })?;
    let Value::Object(mut frame) = frame else {
        return Err(BatchError::NotAnObject);
    };
    match frame.get("type") {
        None => {}
        Some(Value::String(t)) if t == "mount_batch" => {}
        Some(other) => {
            return Err(BatchError::WrongType {
                found: other.to_string(),
            });
        }
    }
    let views = match frame.remove("views") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(views)) => views,
        Some(_) => return Err(BatchError::ViewsNotAList),
    };
    let tz = frame.get("client_timezone").and_then(Value::as_str);
    Ok(views
        .into_iter()
        .map(|entry| {
            let Value::Object(entry) = entry else {
                return Err(EntryError::NotAnObject);
            };
            let mut request = MountRequest::try_from(entry)?;
            request.inherit_timezone(tz);
            Ok(request)
        })
        .collect())
}

/// Builds the one `mount_batch` reply, entry by entry, in request order.
///
/// Call exactly one of [`mounted`](Self::mounted), [`failed`](Self::failed),
/// [`failed_with_code`](Self::failed_with_code), [`failed_entry`](Self::failed_entry) or
/// [`redirect`](Self::redirect) per request entry, then [`finish`](Self::finish). Each call adds
/// one entry to one array, so `views + failed + navigate == entries` holds by construction.
///
/// Failure codes liveshell writes: `mount_failed` ([`failed`](Self::failed)), `bad_frame` (a
/// mount frame that is not a JSON object) and the [`EntryError::code`]s. Push events captured
/// during the mounts are not part of the reply: send them after it, in order, as djust does.
///
/// # Examples
///
/// ```
/// use liveshell::mount_batch::ReplyBuilder;
/// use serde_json::json;
///
/// let mut reply = ReplyBuilder::new("sess-1");
/// reply.mounted("cart", json!({"type": "mount", "html": "<span>3 items</span>", "version": 1}));
/// reply.failed("ads", "app.views.Ads", "DoesNotExist: no campaign");
/// reply.redirect("account", "app.views.Account", "/login");
/// let reply = reply.finish();
/// assert_eq!(reply.len(), 3);
/// assert_eq!(
///     serde_json::to_value(&reply).unwrap(),
///     json!({
///         "type": "mount_batch",
///         "session_id": "sess-1",
///         "views": [{"type": "mount", "html": "<span>3 items</span>", "version": 1, "target_id": "cart"}],
///         "failed": [{"target_id": "ads", "view": "app.views.Ads",
///                     "error": "DoesNotExist: no campaign", "code": "mount_failed"}],
///         "navigate": [{"type": "navigate", "to": "/login", "target_id": "account", "view": "app.views.Account"}],
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a reply builder does nothing until finished and sent"]
pub struct ReplyBuilder {
    reply: Reply,
}

impl ReplyBuilder {
    /// Starts the reply for the consumer whose session id is `session_id`.
    pub fn new(session_id: impl Into<String>) -> Self {
        Self {
            reply: Reply::new(session_id.into()),
        }
    }

    /// The view mounted into `target_id`; `frame` is its whole mount frame (`html`, `version`,
    /// and every other field, all kept), to which `target_id` is added.
    ///
    /// A frame that is not a JSON object cannot carry a `target_id`, so it is recorded as a
    /// failure with code `bad_frame` instead of being dropped.
    pub fn mounted(&mut self, target_id: impl Into<String>, frame: Value) -> &mut Self {
        let target_id = target_id.into();
        match frame {
            Value::Object(mut frame) => {
                frame.insert("target_id".to_owned(), Value::String(target_id));
                self.reply.views.push(Value::Object(frame));
            }
            other => {
                let view = String::new();
                let error = format!("mount frame is not a dict: {other}");
                self.push_failure(target_id, view, "bad_frame".to_owned(), error);
            }
        }
        self
    }

    /// The view for `target_id` failed; `error` is the real error text. The code is
    /// `mount_failed`.
    pub fn failed(
        &mut self,
        target_id: impl Into<String>,
        view: impl Into<String>,
        error: impl Into<String>,
    ) -> &mut Self {
        self.failed_with_code(target_id, view, "mount_failed", error)
    }

    /// The view for `target_id` failed with a code of the caller's choosing, such as
    /// `permission_denied` or `not_found`.
    pub fn failed_with_code(
        &mut self,
        target_id: impl Into<String>,
        view: impl Into<String>,
        code: impl Into<String>,
        error: impl Into<String>,
    ) -> &mut Self {
        self.push_failure(target_id.into(), view.into(), code.into(), error.into());
        self
    }

    /// The entry could not be read ([`parse_request`] returned this error in its place).
    pub fn failed_entry(&mut self, error: &EntryError) -> &mut Self {
        self.push_failure(
            error.target_id().to_owned(),
            error.view().to_owned(),
            error.code().to_owned(),
            error.to_string(),
        );
        self
    }

    /// The view's mount asked for a redirect to `to` (an auth hook, say). It goes in
    /// `navigate[]`, not in `failed[]`.
    pub fn redirect(
        &mut self,
        target_id: impl Into<String>,
        view: impl Into<String>,
        to: impl Into<String>,
    ) -> &mut Self {
        let mut entry = Map::new();
        entry.insert("type".to_owned(), Value::String("navigate".to_owned()));
        entry.insert("to".to_owned(), Value::String(to.into()));
        entry.insert("target_id".to_owned(), Value::String(target_id.into()));
        entry.insert("view".to_owned(), Value::String(view.into()));
        self.reply.navigate.push(Value::Object(entry));
        self
    }

    /// How many entries have been answered so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.reply.len()
    }

    /// Whether no entry has been answered yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.reply.is_empty()
    }

    /// The finished reply, ready to serialise.
    #[must_use = "the reply is what to send"]
    pub fn finish(self) -> Reply {
        self.reply
    }

    fn push_failure(&mut self, target_id: String, view: String, code: String, error: String) {
        self.reply.failed.push(Failure {
            target_id,
            view,
            error,
            code: Some(code),
            extra: Map::new(),
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn views_that_are_not_a_list_refuse_the_batch_with_djusts_text() {
        let err = parse_request(br#"{"type":"mount_batch","views":"x"}"#).unwrap_err();
        assert_eq!(err, BatchError::ViewsNotAList);
        assert_eq!(err.to_string(), "mount_batch: 'views' must be a list");
    }

    #[test]
    fn missing_views_is_an_empty_batch() {
        assert_eq!(parse_request(br#"{"type":"mount_batch"}"#), Ok(vec![]));
    }

    #[test]
    fn a_frame_of_another_type_is_refused() {
        let err = parse_request(br#"{"type":"mount","views":[]}"#).unwrap_err();
        assert_eq!(
            err,
            BatchError::WrongType {
                found: "\"mount\"".into()
            }
        );
    }

    #[test]
    fn invalid_json_and_non_objects_are_batch_errors() {
        assert!(matches!(parse_request(b"{"), Err(BatchError::Json { .. })));
        assert_eq!(parse_request(b"[]"), Err(BatchError::NotAnObject));
    }

    #[test]
    fn an_entry_with_a_wrong_field_names_it_and_keeps_its_target() {
        let entries =
            parse_request(br#"{"views":[{"view":"v","target_id":"t","params":[1]}]}"#).unwrap();
        let err = entries[0].clone().unwrap_err();
        assert_eq!(
            err,
            EntryError::InvalidField {
                target_id: "t".into(),
                view: "v".into(),
                field: "params"
            }
        );
        assert_eq!(err.code(), "invalid_field");
    }

    #[test]
    fn an_entrys_own_timezone_beats_the_frames() {
        let json =
            br#"{"client_timezone":"UTC","views":[{"view":"v","client_timezone":"Asia/Tokyo"}]}"#;
        let entries = parse_request(json).unwrap();
        assert_eq!(
            entries[0].as_ref().unwrap().client_timezone(),
            Some("Asia/Tokyo")
        );
    }

    #[test]
    fn unknown_entry_fields_are_kept() {
        let entries = parse_request(br#"{"views":[{"view":"v","trace":"abc"}]}"#).unwrap();
        let entry = entries[0].as_ref().unwrap();
        assert_eq!(entry.extra().get("trace"), Some(&json!("abc")));
    }

    #[test]
    fn a_non_object_mount_frame_is_recorded_as_a_bad_frame_failure() {
        let mut b = ReplyBuilder::new("s");
        b.mounted("t", json!("oops"));
        let reply = b.finish();
        assert_eq!(reply.len(), 1);
        assert_eq!(reply.failed()[0].code.as_deref(), Some("bad_frame"));
        assert_eq!(reply.failed()[0].target_id, "t");
    }

    #[test]
    fn navigate_is_omitted_when_empty() {
        let mut b = ReplyBuilder::new("s");
        b.mounted("t", json!({}));
        let json = b.finish().to_json();
        assert!(!json.contains("navigate"), "{json}");
    }
}
