//! Holds the generated OpenAPI document to what the server sends, in one place rather than in every
//! handler's annotation: each error answer is `application/problem+json` with the `Problem` schema; the
//! refusals any operation can meet (extract.rs, the caller's credentials) are documented on each
//! operation; identifiers carry their patterns and codes their enums, from the domain where it lists them.
//! A property or parameter named here that the document lacks fails a test (openapi.rs), so the table
//! cannot go stale.

use serde_json::{Value, json};
use tamwin_domain::appointment::{AppointmentKind, AppointmentStatus, TemporaryCardStatus};
use tamwin_domain::screening::{AppealStatus, FindingKind, FindingStatus, ScreenDecision};
use tamwin_domain::{CardState, HoldReason, Relation};

const PROBLEM: &str = "application/problem+json";
const PROBLEM_REF: &str = "#/components/schemas/Problem";

/// Twelve digits, the first not zero (the last is a Luhn check digit: docs/formats.md). Arabic-Indic
/// digits, spaces and dashes are accepted on input too; answers give this form.
pub const NATIONAL_ID: &str = "^[1-9][0-9]{11}$";
/// Two-digit governorate, eight-digit serial, check digit; dashes optional (`11-00012345-2`).
pub const CARD_NUMBER: &str = "^[0-9]{2}-?[0-9]{8}-?[0-9]$";
/// An Iraqi mobile number, `07…` nationally or `+9647…`; answers give the `+964` form.
pub const PHONE: &str = "^(\\+9647|07)[3-9][0-9]{8}$";

pub enum Rule {
    Pattern(&'static str),
    Enum(Vec<&'static str>),
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Rule {
    Rule::Enum(all.iter().map(|x| code(*x)).collect())
}

fn kinds() -> Rule {
    codes(&FindingKind::ALL, FindingKind::code)
}
fn finding_statuses() -> Rule {
    codes(&FindingStatus::ALL, FindingStatus::code)
}
fn decisions() -> Rule {
    codes(&ScreenDecision::ALL, ScreenDecision::code)
}

/// Properties of component schemas: (schema, property, rule).
pub fn properties() -> Vec<(&'static str, &'static str, Rule)> {
    use Rule::{Enum, Pattern};
    vec![
        ("MemberInput", "national_id", Pattern(NATIONAL_ID)),
        ("MemberData", "national_id", Pattern(NATIONAL_ID)),
        ("MemberDeclaration", "national_id", Pattern(NATIONAL_ID)),
        ("ExemptionRequest", "national_id", Pattern(NATIONAL_ID)),
        ("ExemptionView", "national_id", Pattern(NATIONAL_ID)),
        ("SuggestionView", "national_id", Pattern(NATIONAL_ID)),
        ("TemporaryCardView", "national_id", Pattern(NATIONAL_ID)),
        ("Household", "card_number", Pattern(CARD_NUMBER)),
        ("HouseholdItem", "card_number", Pattern(CARD_NUMBER)),
        ("HouseholdItem", "card_number_display", Pattern(CARD_NUMBER)),
        ("AppointmentView", "card_number", Pattern(CARD_NUMBER)),
        ("TemporaryCardView", "card_number", Pattern(CARD_NUMBER)),
        ("CheckInRequest", "card_number", Pattern(CARD_NUMBER)),
        ("NewHousehold", "phone", Pattern(PHONE)),
        ("Household", "phone", Pattern(PHONE)),
        (
            "HouseholdItem",
            "state",
            codes(&CardState::ALL, CardState::code),
        ),
        (
            "AreaCountItem",
            "state",
            codes(&CardState::ALL, CardState::code),
        ),
        (
            "HoldInput",
            "reason",
            codes(&HoldReason::ALL, HoldReason::code),
        ),
        (
            "HoldCount",
            "reason",
            codes(&HoldReason::ALL, HoldReason::code),
        ),
        (
            "MemberInput",
            "relation",
            codes(&Relation::ALL, Relation::code),
        ),
        ("MemberInput", "sex", Enum(vec!["male", "female"])),
        (
            "AppointmentView",
            "status",
            codes(&AppointmentStatus::ALL, AppointmentStatus::code),
        ),
        (
            "AppointmentView",
            "kind",
            codes(&AppointmentKind::ALL, AppointmentKind::code),
        ),
        ("MemberCheck", "attendance", Enum(vec!["present", "absent"])),
        (
            "HomeVisitRequest",
            "reason",
            Enum(vec!["elderly", "sick", "disabled"]),
        ),
        (
            "ExemptionRequest",
            "reason",
            Enum(vec![
                "study",
                "medical_treatment",
                "official_mission",
                "pilgrimage",
            ]),
        ),
        (
            "DecisionRequest",
            "decision",
            Enum(vec!["confirm", "clear", "uphold", "reject"]),
        ),
        ("FindingView", "kind", kinds()),
        ("FindingView", "status", finding_statuses()),
        ("FindingView", "decision", decisions()),
        (
            "FindingView",
            "hold_reason",
            codes(&HoldReason::ALL, HoldReason::code),
        ),
        (
            "AppealView",
            "status",
            codes(&AppealStatus::ALL, AppealStatus::code),
        ),
        (
            "SuggestionView",
            "status",
            Enum(vec!["pending", "confirming", "confirmed", "declined"]),
        ),
        (
            "TemporaryCardView",
            "status",
            codes(&TemporaryCardStatus::ALL, TemporaryCardStatus::code),
        ),
        (
            "Me",
            "kind",
            Enum(vec!["staff", "citizen", "token", "device", "system"]),
        ),
        ("Problem", "request_id", Pattern(crate::request_id::PATTERN)),
        ("Health", "status", Enum(vec!["ok"])),
        ("Health", "database", Enum(vec!["sqlite", "postgres"])),
    ]
}

/// Parameters: (path, parameter, rule); `*` for every operation with a parameter of that name.
pub fn parameters() -> Vec<(&'static str, &'static str, Rule)> {
    use Rule::{Enum, Pattern};
    vec![
        ("*", "national_id", Pattern(NATIONAL_ID)),
        ("*", "card_number", Pattern(CARD_NUMBER)),
        ("/api/v1/households", "after", Pattern(CARD_NUMBER)),
        ("/api/v1/households", "governorate", Pattern("^[0-9]{2}$")),
        ("/api/v1/households", "district", Pattern("^[0-9]{4}$")),
        (
            "/api/v1/households",
            "state",
            codes(&CardState::ALL, CardState::code),
        ),
        (
            "/api/v1/stats/progress",
            "governorate",
            Pattern("^[0-9]{2}$"),
        ),
        ("/api/v1/stats/progress", "district", Pattern("^[0-9]{4}$")),
        ("/api/v1/screening/findings", "kind", kinds()),
        ("/api/v1/screening/findings", "status", finding_statuses()),
        ("/api/v1/screening/findings", "decision", decisions()),
        (
            "/api/v1/me/suggestions/{suggestion_id}/{decision}",
            "decision",
            Enum(vec!["confirm", "decline"]),
        ),
        (
            "/crvs/registry/{callback}",
            "callback",
            Enum(vec![
                "notify",
                "on-search",
                "on-subscribe",
                "on-unsubscribe",
            ]),
        ),
    ]
}

/// Applies a rule to a string schema; a nullable one keeps `null` among its values.
fn apply(schema: &mut Value, rule: &Rule) {
    let nullable = schema["type"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "null"));
    match rule {
        Rule::Pattern(p) => schema["pattern"] = json!(p),
        Rule::Enum(values) => {
            let mut v: Vec<Value> = values.iter().map(|x| json!(x)).collect();
            if nullable {
                v.push(Value::Null);
            }
            schema["enum"] = Value::Array(v);
        }
    }
}

fn problem_content() -> Value {
    json!({ PROBLEM: { "schema": { "$ref": PROBLEM_REF } } })
}

/// Refusals that come from the request's form rather than the operation: added where not documented.
fn implied(path: &str, method: &str, op: &Value) -> Vec<(&'static str, &'static str)> {
    let api = path.starts_with("/api/v1/");
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let has = |place: &str| params.iter().any(|p| p["in"] == place);
    let idempotent = params
        .iter()
        .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key");
    let body = op.get("requestBody").is_some();
    let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
    let mut out = vec![];
    if body {
        out.push(("413", "The body is over the size limit (`body_too_large`)"));
    }
    if api && body {
        out.push((
            "415",
            "The body is not `application/json` (`content_type_unsupported`)",
        ));
        out.push((
            "400",
            "The body could not be read (`body_unreadable`), or the Idempotency-Key header is not valid (`idempotency_key_invalid`)",
        ));
        out.push(("422", "The body does not decode or is not valid (`body_invalid`, `unknown_field`, `missing_field`, `validation_failed`)"));
    }
    // A write can always be refused by a rule of its use case or lose a race (`concurrent_change`).
    if api && matches!(method, "post" | "put") {
        out.push(("409", "Refused by a rule (its code says which), or the record changed meanwhile (`concurrent_change`)"));
    }
    if api && idempotent && !body {
        out.push((
            "400",
            "The Idempotency-Key header is not valid (`idempotency_key_invalid`)",
        ));
    }
    if api && (has("query") || has("path")) {
        out.push(("422", "A query or path parameter that does not decode or is not valid (`query_parameter_*`, `path_parameter_invalid`, `validation_failed`)"));
    }
    if secured {
        out.push(("401", "No valid credentials (`unauthenticated`)"));
        out.push((
            "403",
            "The caller's role does not allow it (`forbidden`), or, with the session cookie, the CSRF token is missing (`csrf_invalid`)",
        ));
    }
    out
}

/// The post-processing; `doc` is the generated document as JSON.
pub fn conform(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    let param_rules = parameters();
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let implied = implied(path, method, op);
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, description) in implied {
                responses
                    .entry(status)
                    .or_insert_with(|| json!({ "description": description }));
            }
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                for p in params {
                    let name = p["name"].as_str().unwrap_or_default().to_string();
                    for (_, _, rule) in param_rules
                        .iter()
                        .filter(|(at, n, _)| *n == name && (*at == "*" || at == path))
                    {
                        apply(&mut p["schema"], rule);
                    }
                }
            }
            let idempotent = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, r) in responses.iter_mut() {
                // request_id.rs sets it on every answer.
                r["headers"]["X-Request-Id"] = json!({
                    "description": "The request's id: the caller's own when well formed, else a new one; also `request_id` in a problem",
                    "required": true,
                    "schema": { "type": "string", "pattern": crate::request_id::PATTERN }
                });
                if status.as_str() < "400" {
                    if idempotent && status.starts_with('2') {
                        r["headers"]["Idempotent-Replayed"] = json!({
                            "description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key",
                            "schema": { "type": "string", "enum": ["true"] }
                        });
                    }
                    continue;
                }
                if errors_are_problems(r) && status == "401" {
                    // Problem::into_response adds it to every 401.
                    r["headers"]["WWW-Authenticate"] = json!({
                        "description": "The scheme to authenticate with: `Bearer realm=\"tamwin\"`",
                        "required": true,
                        "schema": { "type": "string" }
                    });
                }
            }
        }
    }
    let rules = properties();
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for (schema, property, rule) in &rules {
            if let Some(p) = schemas
                .get_mut(*schema)
                .and_then(|s| s["properties"].get_mut(*property))
            {
                apply(p, rule);
            }
        }
        // Empty only outside a request, so never in an answer (request_id.rs).
        if let Some(problem) = schemas.get_mut("Problem") {
            problem["properties"]["request_id"]["type"] = json!("string");
            if let Some(required) = problem["required"].as_array_mut() {
                required.push(json!("request_id"));
            }
        }
    }
}

/// An error answer with no body described, or described as the Problem under another media type, is the
/// Problem as `application/problem+json`. (The CRVS callbacks' `ERR` acknowledgements, protocol
/// messages in `application/json`, stay as they are.)
fn errors_are_problems(r: &mut Value) -> bool {
    let content = r.get("content").and_then(Value::as_object);
    let problem = match content {
        None => true,
        Some(c) if c.is_empty() => true,
        Some(c) => c
            .values()
            .any(|m| m["schema"]["$ref"].as_str() == Some(PROBLEM_REF)),
    };
    if problem {
        r["content"] = problem_content();
    }
    problem
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn doc() -> Value {
        serde_json::from_str(&crate::openapi_json()).unwrap()
    }

    #[test]
    fn every_rule_names_something_the_document_has() {
        let d = doc();
        for (schema, property, _) in properties() {
            assert!(
                d["components"]["schemas"][schema]["properties"][property].is_object(),
                "{schema}.{property} is not in the document"
            );
        }
        for (at, name, _) in parameters() {
            let found = d["paths"].as_object().unwrap().iter().any(|(path, item)| {
                (at == "*" || at == path)
                    && item.as_object().unwrap().values().any(|op| {
                        op["parameters"]
                            .as_array()
                            .is_some_and(|ps| ps.iter().any(|p| p["name"] == name))
                    })
            });
            assert!(found, "parameter {name} of {at} is not in the document");
        }
    }

    #[test]
    fn every_error_answer_is_a_problem_and_refusals_are_documented() {
        let d = doc();
        for (path, item) in d["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                for (status, r) in responses {
                    if status.as_str() >= "400" && !path.starts_with("/crvs/") {
                        assert_eq!(
                            r["content"][PROBLEM]["schema"]["$ref"], PROBLEM_REF,
                            "{method} {path} {status}"
                        );
                        assert_eq!(
                            r["content"].as_object().unwrap().len(),
                            1,
                            "{method} {path} {status}"
                        );
                    }
                }
                for (status, r) in responses {
                    assert_eq!(
                        r["headers"]["X-Request-Id"]["required"], true,
                        "{method} {path} {status}"
                    );
                }
                let body = op.get("requestBody").is_some();
                if path.starts_with("/api/v1/") && body {
                    for s in ["400", "413", "415", "422"] {
                        assert!(responses.contains_key(s), "{method} {path} lacks {s}");
                    }
                }
                if path.starts_with("/api/v1/") && matches!(method.as_str(), "post" | "put") {
                    assert!(responses.contains_key("409"), "{method} {path} lacks 409");
                }
                if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                    assert!(
                        responses.contains_key("401") && responses.contains_key("403"),
                        "{method} {path}"
                    );
                }
            }
        }
        let problem = &d["components"]["schemas"]["Problem"];
        assert!(
            problem["required"]
                .as_array()
                .unwrap()
                .contains(&json!("request_id"))
        );
        assert_eq!(problem["properties"]["request_id"]["type"], "string");
        let national_id = &d["components"]["schemas"]["MemberInput"]["properties"]["national_id"];
        assert_eq!(national_id["pattern"], NATIONAL_ID);
        let kind = &d["paths"]["/api/v1/screening/findings"]["get"]["parameters"];
        assert!(
            kind.as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "kind" && p["schema"]["enum"][0] == "same_id")
        );
    }
}
