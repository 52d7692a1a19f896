//! The wire types: djust's `mount`, `mount_batch` request and `mount_batch` reply frames.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::{BatchError, EntryError};

/// One view to mount: an entry of a `mount_batch` request, or the body of a plain `mount` frame.
///
/// On the wire it is `{"view", "params", "url", "target_id", "has_prerendered"}`, plus
/// `client_timezone` when the entry carries its own and any unknown fields, which are kept
/// (in [`extra`](Self::extra)) and written back unchanged. A `type` key is the frame's tag, not
/// an entry field, so it is never kept.
///
/// # Examples
///
/// ```
/// use liveshell::mount_batch::MountRequest;
///
/// let req = MountRequest::new("app.views.Cart", "cart").with_url("/shop/");
/// let json = serde_json::to_value(&req).unwrap();
/// assert_eq!(json["view"], "app.views.Cart");
/// assert_eq!(json["target_id"], "cart");
/// assert_eq!(json["has_prerendered"], false);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Map<String, Value>")]
pub struct MountRequest {
    view: String,
    params: Map<String, Value>,
    url: String,
    target_id: String,
    has_prerendered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_timezone: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl MountRequest {
    /// A request to mount `view` into the element whose target id is `target_id`.
    ///
    /// `params` start empty, `url` empty, `has_prerendered` false.
    #[must_use]
    pub fn new(view: impl Into<String>, target_id: impl Into<String>) -> Self {
        Self {
            view: view.into(),
            params: Map::new(),
            url: String::new(),
            target_id: target_id.into(),
            has_prerendered: false,
            client_timezone: None,
            extra: Map::new(),
        }
    }

    /// Sets the query parameters (djust sends `Object.fromEntries(location.search)`).
    #[must_use]
    pub fn with_params(mut self, params: Map<String, Value>) -> Self {
        self.params = params;
        self
    }

    /// Sets the page path (djust sends `location.pathname`).
    #[must_use]
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// Says whether the element already holds server-rendered HTML.
    #[must_use]
    pub fn with_prerendered(mut self, has_prerendered: bool) -> Self {
        self.has_prerendered = has_prerendered;
        self
    }

    /// Sets this entry's own IANA time zone, overriding the frame's `client_timezone`.
    #[must_use]
    pub fn with_client_timezone(mut self, tz: impl Into<String>) -> Self {
        self.client_timezone = Some(tz.into());
        self
    }

    /// Adds a field djust's entry does not define; it is sent as is. A `type` key or the name of
    /// a defined field is ignored (the defined fields have their own setters).
    #[must_use]
    pub fn with_extra(mut self, key: impl Into<String>, value: Value) -> Self {
        let key = key.into();
        if key != "type" && !KNOWN_ENTRY_FIELDS.contains(&key.as_str()) {
            self.extra.insert(key, value);
        }
        self
    }

    /// The dotted path of the view class.
    #[must_use]
    pub fn view(&self) -> &str {
        &self.view
    }

    /// The id of the element the view mounts into (`data-djust-target`).
    #[must_use]
    pub fn target_id(&self) -> &str {
        &self.target_id
    }

    /// The query parameters.
    #[must_use]
    pub fn params(&self) -> &Map<String, Value> {
        &self.params
    }

    /// The page path.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the element already holds server-rendered HTML.
    #[must_use]
    pub fn has_prerendered(&self) -> bool {
        self.has_prerendered
    }

    /// The entry's own time zone, if it has one.
    #[must_use]
    pub fn client_timezone(&self) -> Option<&str> {
        self.client_timezone.as_deref()
    }

    /// Fields djust's entry does not define, kept as they came.
    #[must_use]
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// Fills in the frame's time zone when the entry has none (djust's `handle_mount_batch`).
    pub(crate) fn inherit_timezone(&mut self, tz: Option<&str>) {
        if self.client_timezone.is_none() {
            self.client_timezone = tz.filter(|tz| !tz.is_empty()).map(str::to_owned);
        }
    }
}

/// Any view, target, path, flags and time zone, with string-valued params (fuzzing only).
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for MountRequest {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut request = Self::new(String::arbitrary(u)?, String::arbitrary(u)?)
            .with_url(String::arbitrary(u)?)
            .with_prerendered(u.arbitrary()?);
        if let Some(tz) = Option::<String>::arbitrary(u)? {
            request = request.with_client_timezone(tz);
        }
        let params: Vec<(String, String)> = u.arbitrary()?;
        request.params = params
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        Ok(request)
    }
}

const KNOWN_ENTRY_FIELDS: [&str; 6] = [
    "view",
    "params",
    "url",
    "target_id",
    "has_prerendered",
    "client_timezone",
];

impl TryFrom<Map<String, Value>> for MountRequest {
    type Error = EntryError;

    /// Reads one entry, field by field, so an error names the field and the target.
    fn try_from(mut entry: Map<String, Value>) -> Result<Self, EntryError> {
        entry.remove("type");
        let target_id = match entry.remove("target_id") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s,
            Some(_) => {
                return Err(EntryError::InvalidField {
                    target_id: String::new(),
                    view: view_text(&entry),
                    field: "target_id",
                });
            }
        };
        let view = match entry.remove("view") {
            Some(Value::String(s)) if !s.is_empty() => s,
            _ => return Err(EntryError::MissingView { target_id }),
        };
        let invalid = |field| EntryError::InvalidField {
            target_id: target_id.clone(),
            view: view.clone(),
            field,
        };
        let params = match entry.remove("params") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m,
            Some(_) => return Err(invalid("params")),
        };
        let url = match entry.remove("url") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s,
            Some(_) => return Err(invalid("url")),
        };
        let has_prerendered = match entry.remove("has_prerendered") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(_) => return Err(invalid("has_prerendered")),
        };
        let client_timezone = match entry.remove("client_timezone") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => return Err(invalid("client_timezone")),
        };
        Ok(Self {
            view,
            params,
            url,
            target_id,
            has_prerendered,
            client_timezone,
            extra: entry,
        })
    }
}

/// The `view` of a rejected entry, for its `failed[]` record, when it is a string.
fn view_text(entry: &Map<String, Value>) -> String {
    entry
        .get("view")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The body of a `mount_batch` request frame: `{"views": [...], "client_timezone": ...}`.
///
/// It travels inside [`Frame::MountBatch`], which adds `"type": "mount_batch"`.
/// `client_timezone` is always written, as `null` when unknown, as djust does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BatchRequest {
    /// The views, in the order they were requested.
    pub views: Vec<MountRequest>,
    /// The client's IANA time zone, which the server copies into entries lacking one.
    #[serde(default)]
    pub client_timezone: Option<String>,
    /// Fields djust's frame does not define, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A frame the client sends: a plain `mount` of one view or a `mount_batch` of several.
///
/// Serialises to djust's JSON with the `type` tag first.
///
/// # Examples
///
/// ```
/// use liveshell::mount_batch::{Frame, MountRequest};
///
/// let frame = Frame::Mount(MountRequest::new("app.views.Cart", "cart"));
/// assert!(frame.to_json().starts_with(r#"{"type":"mount","view":"app.views.Cart""#));
/// assert_eq!(frame.to_json().len(), frame.json_len());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Frame {
    /// `{"type": "mount", ...}`: one view.
    Mount(MountRequest),
    /// `{"type": "mount_batch", "views": [...], "client_timezone": ...}`: several views.
    MountBatch(BatchRequest),
}

impl Frame {
    /// The views this frame mounts, in order.
    #[must_use]
    pub fn views(&self) -> &[MountRequest] {
        match self {
            Self::Mount(one) => std::slice::from_ref(one),
            Self::MountBatch(batch) => &batch.views,
        }
    }

    /// Consumes the frame and returns its views, in order.
    #[must_use]
    pub fn into_views(self) -> Vec<MountRequest> {
        match self {
            Self::Mount(one) => vec![one],
            Self::MountBatch(batch) => batch.views,
        }
    }

    /// Whether this is a `mount_batch` frame.
    #[must_use]
    pub fn is_batch(&self) -> bool {
        matches!(self, Self::MountBatch(_))
    }

    /// The frame as compact JSON, exactly the bytes to send.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a frame holds only JSON values and string keys")
    }

    /// The length in bytes of [`to_json`](Self::to_json), computed without allocating it.
    #[must_use]
    pub fn json_len(&self) -> usize {
        crate::json::compact_len(self)
    }
}

/// The `type` field of a reply: always the string `"mount_batch"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct MountBatchTag;

impl Serialize for MountBatchTag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("mount_batch")
    }
}

impl<'de> Deserialize<'de> for MountBatchTag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(deserializer)?;
        if tag == "mount_batch" {
            Ok(Self)
        } else {
            Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&tag),
                &"\"mount_batch\"",
            ))
        }
    }
}

/// The server's one answer to a `mount_batch` request.
///
/// `{"type": "mount_batch", "session_id", "views": [...], "failed": [...], "navigate": [...]}`:
/// every `views` entry is the view's whole mount frame plus `target_id`, every `failed` entry a
/// [`Failure`], every `navigate` entry `{"type": "navigate", "to", "target_id", "view", ...}`.
/// `navigate` is left out when empty, as djust does. Unknown fields are kept.
///
/// Build one with [`ReplyBuilder`](super::ReplyBuilder); read one with
/// [`outcomes`](super::outcomes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    #[serde(rename = "type")]
    kind: MountBatchTag,
    #[serde(default)]
    session_id: String,
    #[serde(default)]
    pub(super) views: Vec<Value>,
    #[serde(default)]
    pub(super) failed: Vec<Failure>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) navigate: Vec<Value>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl Reply {
    /// An empty reply for the session `session_id`.
    pub(super) fn new(session_id: String) -> Self {
        Self {
            kind: MountBatchTag,
            session_id,
            views: Vec::new(),
            failed: Vec::new(),
            navigate: Vec::new(),
            extra: Map::new(),
        }
    }

    /// Reads a reply from JSON.
    ///
    /// # Errors
    ///
    /// [`BatchError::Json`] when the bytes are not JSON or not a `mount_batch` reply (a `type`
    /// other than `mount_batch`, or a field of the wrong type).
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::mount_batch::Reply;
    ///
    /// let reply = Reply::from_json(br#"{"type":"mount_batch","session_id":"s","views":[],"failed":[]}"#).unwrap();
    /// assert_eq!(reply.session_id(), "s");
    /// assert!(Reply::from_json(br#"{"type":"mount"}"#).is_err());
    /// ```
    pub fn from_json(json: &[u8]) -> Result<Self, BatchError> {
        serde_json::from_slice(json).map_err(|e| BatchError::Json {
            message: e.to_string(),
        })
    }

    /// The consumer's session id.
    #[must_use]
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The mounted views' frames, in request order, each with its `target_id`.
    #[must_use]
    pub fn views(&self) -> &[Value] {
        &self.views
    }

    /// The views that failed to mount, in request order.
    #[must_use]
    pub fn failed(&self) -> &[Failure] {
        &self.failed
    }

    /// The views whose mount asked for a redirect, in request order.
    #[must_use]
    pub fn navigate(&self) -> &[Value] {
        &self.navigate
    }

    /// Fields djust's reply does not define, kept as they came.
    #[must_use]
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// `views.len() + failed.len() + navigate.len()`: the number of request entries answered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.views.len() + self.failed.len() + self.navigate.len()
    }

    /// Whether the reply answers no entry at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The reply as compact JSON, exactly the bytes to send.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a reply holds only JSON values and string keys")
    }
}

/// One `failed[]` entry of a reply: `{"target_id", "view", "error", "code"}`.
///
/// `error` is the real error text (djust reduces every failure to `"mount failed"`); `code` is
/// machine-readable (see [`ReplyBuilder`](super::ReplyBuilder) for the codes liveshell writes)
/// and absent in replies from djust itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Failure {
    /// The target the view was to mount into; empty when the entry had none.
    #[serde(default)]
    pub target_id: String,
    /// The view's dotted path; empty when the entry had none.
    #[serde(default)]
    pub view: String,
    /// What went wrong, in words.
    #[serde(default)]
    pub error: String,
    /// What went wrong, as a stable code such as `mount_failed` or `not_a_dict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Fields djust's entry does not define, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn extra_fields_never_shadow_defined_ones_or_the_tag() {
        let req = MountRequest::new("v", "t")
            .with_extra("type", json!("evil"))
            .with_extra("view", json!("other"))
            .with_extra("trace", json!(1));
        assert_eq!(req.extra().len(), 1);
        let json = Frame::Mount(req).to_json();
        assert_eq!(json.matches("\"type\"").count(), 1, "{json}");
        assert_eq!(json.matches("\"view\"").count(), 1, "{json}");
    }

    #[test]
    fn a_batch_frame_counts_its_own_bytes_exactly() {
        let frame = Frame::MountBatch(BatchRequest {
            views: vec![MountRequest::new("a", "1"), MountRequest::new("é", "2")],
            client_timezone: Some("Europe/Paris".into()),
            extra: Map::new(),
        });
        assert_eq!(frame.json_len(), frame.to_json().len());
    }

    #[test]
    fn a_reply_of_another_type_is_refused() {
        let err = Reply::from_json(br#"{"type":"mount","views":[]}"#).unwrap_err();
        assert!(matches!(err, BatchError::Json { .. }), "{err}");
    }
}
