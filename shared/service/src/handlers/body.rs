//! JSON request bodies: a clear 400 for anything that is not the expected shape.

use crate::http::{ApiError, ApiRequest};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Schema, SchemaType, Type};

struct JsonBody(Map<String, Value>);

/// The body as the route's request type (`crate::http::bodies`): not JSON, not an
/// object or a field the type lacks is a 400 as in [`JsonBody::parse`]; a field of the
/// wrong type is a 400 `invalid-field` that says what it must be, from the type's schema.
pub fn typed<T: DeserializeOwned + ToSchema>(req: &ApiRequest) -> Result<T, ApiError> {
    let RefOr::T(Schema::Object(schema)) = T::schema() else {
        unreachable!("request bodies are objects");
    };
    let known: Vec<&str> = schema.properties.keys().map(String::as_str).collect();
    let JsonBody(map) = JsonBody::parse(req, &known)?;
    let value = Value::Object(map);
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let field = match e.path().iter().next() {
            Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
            _ => String::new(),
        };
        let expected = schema.properties.get(&field).map_or("of another type", expected);
        let got = value.get(&field).map_or("something else", kind);
        ApiError::bad_request("invalid-field", format!("{field} must be {expected}, not {got}"))
            .with_details(serde_json::json!({"field": field}))
    })
}

/// What a value of `schema` is, in words.
fn expected(schema: &RefOr<Schema>) -> &'static str {
    let types = match schema {
        RefOr::T(Schema::Array(_)) => return "a list of strings",
        RefOr::T(Schema::Object(object)) => match &object.schema_type {
            SchemaType::Type(t) => vec![t.clone()],
            SchemaType::Array(types) => types.clone(),
            SchemaType::AnyValue => Vec::new(),
        },
        _ => Vec::new(),
    };
    if types.contains(&Type::Integer) {
        "a whole number"
    } else if types.contains(&Type::Boolean) {
        "true or false"
    } else if types.contains(&Type::String) {
        "a string"
    } else if types.contains(&Type::Array) {
        "a list of strings"
    } else {
        "of another type"
    }
}

/// A required field of a typed body.
pub fn required<T>(value: Option<T>, field: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        ApiError::bad_request("missing-field", format!("{field} is required"))
            .with_details(serde_json::json!({"field": field}))
    })
}

impl JsonBody {
    /// The body as a JSON object whose keys are all in `known`.
    fn parse(req: &ApiRequest, known: &[&str]) -> Result<Self, ApiError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::bodies::{EntryPatch, SettingsPatch, UploadRequest};

    fn request(body: &str) -> ApiRequest {
        ApiRequest { body: body.as_bytes().to_vec(), ..Default::default() }
    }

    fn refusal<T: DeserializeOwned + ToSchema + std::fmt::Debug>(body: &str) -> (&'static str, String) {
        let e = typed::<T>(&request(body)).unwrap_err();
        (e.code, e.message)
    }

    /// A wrong type names the field and what it must be, in words a person reads.
    #[test]
    fn typed_bodies_say_which_field_is_wrong_and_what_it_must_be() {
        let cases = [
            (
                refusal::<UploadRequest>(r#"{"fileName": "x.md", "baseVersion": "3"}"#),
                "baseVersion must be a whole number, not a string",
            ),
            (
                refusal::<UploadRequest>(r#"{"fileName": "x.md", "allowDeletes": 1}"#),
                "allowDeletes must be true or false, not a number",
            ),
            (
                refusal::<SettingsPatch>(r#"{"suppressedProjects": [1]}"#),
                "suppressedProjects must be a list of strings, not a list",
            ),
            (refusal::<EntryPatch>(r#"{"notes": 5}"#), "notes must be a string, not a number"),
        ];
        for ((code, message), expected) in cases {
            assert_eq!((code, message.as_str()), ("invalid-field", expected));
        }
        let (code, message) = refusal::<EntryPatch>(r#"{"task": "x", "colour": "red"}"#);
        assert_eq!(code, "unknown-field");
        assert!(message.contains("colour") && message.contains("startTime"), "{message}");
    }

    /// In a PATCH, `null` clears (`Some(None)`), which is not the same as leaving it out.
    #[test]
    fn a_patch_tells_null_from_absent() {
        let patch: EntryPatch = typed(&request(r#"{"notes": null, "project": "Website"}"#)).unwrap();
        assert_eq!((patch.notes, patch.project, patch.task), (Some(None), Some(Some("Website".into())), None));
        let patch: EntryPatch = typed(&request(r#"{"tags": null}"#)).unwrap();
        assert_eq!(patch.tags, Some(Value::Null));
        assert_eq!(typed::<EntryPatch>(&request("{}")).unwrap().tags, None);
    }
}
