//! Header rows of the registry CSV files (docs/formats.md): written by `tamwin generate`, required by
//! `tamwin import`. One definition so the two cannot drift apart.

pub const HOUSEHOLDS: [&str; 6] = [
    "card_number",
    "governorate",
    "district",
    "address",
    "agent_code",
    "phone",
];
pub const MEMBERS: [&str; 14] = [
    "card_number",
    "member_no",
    "national_id",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "birth_date",
    "sex",
    "relation",
    "elderly",
    "sick",
    "disabled",
];
pub const HOLDS: [&str; 5] = ["card_number", "member_no", "reason", "evidence", "source"];
pub const AGENTS: [&str; 3] = ["agent_code", "district", "name_ar"];
/// The outlets file (`tamwin outlet import`; issue 16).
/// The outlets file's optional last column, after `OUTLETS`.
pub const OUTLET_LICENSEE: &str = "licensee_national_id";
pub const OUTLETS: [&str; 11] = [
    "outlet_code",
    "kind",
    "district",
    "name_ar",
    "address",
    "latitude",
    "longitude",
    "licence",
    "opening_days",
    "opens",
    "closes",
];
/// The warehouses file: a line per agent a warehouse supplies (`tamwin warehouse import`).
pub const WAREHOUSES: [&str; 4] = ["warehouse_code", "governorate", "name_ar", "agent_code"];
/// The reference civil registry's people (issue 4), keyed by the unified national ID.
pub const CIVIL_PERSONS: [&str; 14] = [
    "national_id",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "birth_date",
    "sex",
    "phone",
    "card_status",
    "card_expires",
    "fingerprint_sha256",
    "death_date",
    "abroad_since",
];
