//! The web app's API client is typed from `web/openapi.json` (openapi-typescript), so
//! that copy must be the document the service serves at `GET /openapi.json`. After
//! changing a route or an answer, refresh it with
//! `TM_UPDATE_OPENAPI=1 cargo test -p tm-service --test openapi_document`.

use serde_json::Value;
use std::path::PathBuf;

#[test]
fn the_web_apps_copy_of_the_openapi_document_is_the_services() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/openapi.json");
    let served: Value = serde_json::from_str(&tm_service::http::openapi::document_json()).unwrap();
    if std::env::var_os("TM_UPDATE_OPENAPI").is_some() {
        let text = serde_json::to_string_pretty(&served).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
        return;
    }
    let copy: Value =
        std::fs::read_to_string(&path).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or(Value::Null);
    assert!(
        copy == served,
        "{} is not the service's OpenAPI document; refresh it: TM_UPDATE_OPENAPI=1 cargo test -p tm-service --test openapi_document",
        path.display()
    );
}
