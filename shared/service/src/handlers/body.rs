//! JSON request bodies: a clear 400 for anything that is not the expected shape.

use crate::http::{ApiError, ApiRequest};
use serde_json::{Map, Value};

pub struct JsonBody(pub Map<String, Value>);

impl JsonBody {
    /// The body as a JSON object whose keys are all in `known`.
    pub fn parse(req: &ApiRequest, known: &[&str]) -> Result<Self, ApiError> {
        if let Some(ct) = req.header("content-type") {
            let ct = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            // curl's `-d` sends application/x-www-form-urlencoded by default; a JSON body
            // under it is accepted so the README's curl lines work as typed.
            let json_like = ct.is_empty()
                || ct == "application/json"
                || ct.ends_with("+json")
                || ct == "application/x-www-form-urlencoded";
            if !json_like {
                return Err(ApiError::new(
                    415,
                    "unsupported-media-type",
                    format!("send JSON (Content-Type: application/json), not {ct}"),
                ));
            }
        }
        if req.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request("invalid-json", "the request body is empty; send a JSON object"));
        }
        let value: Value = serde_json::from_slice(&req.body).map_err(|e| {
            ApiError::bad_request(
                "invalid-json",
                format!("the request body is not valid JSON ({e}); send a JSON object"),
            )
        })?;
        let Value::Object(map) = value else {
            return Err(ApiError::bad_request(
                "invalid-json",
                "the request body must be a JSON object, e.g. {\"task\": \"...\"}",
            ));
        };
        let unknown: Vec<&str> = map.keys().map(String::as_str).filter(|k| !known.contains(k)).collect();
        if !unknown.is_empty() {
            return Err(ApiError::bad_request(
                "unknown-field",
                format!("unknown field(s) {}; known fields: {}", unknown.join(", "), known.join(", ")),
            )
            .with_details(serde_json::json!({"unknown": unknown, "known": known})));
        }
        Ok(Self(map))
    }

    /// An optional string field (`null` counts as absent).
    pub fn string(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => {
                Err(ApiError::bad_request("invalid-field", format!("{key} must be a string, not {}", kind(other)))
                    .with_details(serde_json::json!({"field": key})))
            }
        }
    }

    pub fn required_string(&self, key: &str) -> Result<String, ApiError> {
        self.string(key)?.ok_or_else(|| {
            ApiError::bad_request("missing-field", format!("{key} is required"))
                .with_details(serde_json::json!({"field": key}))
        })
    }

    /// An optional list of strings.
    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                Ok(Some(items.iter().filter_map(Value::as_str).map(str::to_owned).collect()))
            }
            Some(other) => Err(ApiError::bad_request(
                "invalid-field",
                format!("{key} must be a list of strings, not {}", kind(other)),
            )
            .with_details(serde_json::json!({"field": key}))),
        }
    }

    pub fn value(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
