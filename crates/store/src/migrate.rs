//! Embedded migrations: an ordered list of SQL files per backend and a table of applied versions.

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "registry",
        sql: include_str!("../migrations/sqlite/0001_registry.sql"),
    },
    Migration {
        version: 2,
        name: "audit",
        sql: include_str!("../migrations/sqlite/0002_audit.sql"),
    },
    Migration {
        version: 3,
        name: "staff",
        sql: include_str!("../migrations/sqlite/0003_staff.sql"),
    },
    Migration {
        version: 4,
        name: "access",
        sql: include_str!("../migrations/sqlite/0004_access.sql"),
    },
    Migration {
        version: 5,
        name: "devices",
        sql: include_str!("../migrations/sqlite/0005_devices.sql"),
    },
    Migration {
        version: 6,
        name: "civil",
        sql: include_str!("../migrations/sqlite/0006_civil.sql"),
    },
    Migration {
        version: 7,
        name: "hub",
        sql: include_str!("../migrations/sqlite/0007_hub.sql"),
    },
    Migration {
        version: 8,
        name: "evidence",
        sql: include_str!("../migrations/sqlite/0008_evidence.sql"),
    },
    Migration {
        version: 9,
        name: "vital_events",
        sql: include_str!("../migrations/sqlite/0009_vital_events.sql"),
    },
    Migration {
        version: 10,
        name: "jobs",
        sql: include_str!("../migrations/sqlite/0010_jobs.sql"),
    },
    Migration {
        version: 11,
        name: "household_events",
        sql: include_str!("../migrations/sqlite/0011_household_events.sql"),
    },
    Migration {
        version: 12,
        name: "crvs",
        sql: include_str!("../migrations/sqlite/0012_crvs.sql"),
    },
    Migration {
        version: 13,
        name: "civil_codes",
        sql: include_str!("../migrations/sqlite/0013_civil_codes.sql"),
    },
    Migration {
        version: 14,
        name: "cards",
        sql: include_str!("../migrations/sqlite/0014_cards.sql"),
    },
    Migration {
        version: 15,
        name: "stations",
        sql: include_str!("../migrations/sqlite/0015_stations.sql"),
    },
    Migration {
        version: 16,
        name: "appointments",
        sql: include_str!("../migrations/sqlite/0016_appointments.sql"),
    },
    Migration {
        version: 17,
        name: "declared_ids",
        sql: include_str!("../migrations/sqlite/0017_declared_ids.sql"),
    },
    Migration {
        version: 18,
        name: "proposed_members",
        sql: include_str!("../migrations/sqlite/0018_proposed_members.sql"),
    },
    Migration {
        version: 19,
        name: "screening",
        sql: include_str!("../migrations/sqlite/0019_screening.sql"),
    },
    Migration {
        version: 20,
        name: "exemption_documents",
        sql: include_str!("../migrations/sqlite/0020_exemption_documents.sql"),
    },
    Migration {
        version: 21,
        name: "sign_in_throttle",
        sql: include_str!("../migrations/sqlite/0021_sign_in_throttle.sql"),
    },
    Migration {
        version: 22,
        name: "audit_chains",
        sql: include_str!("../migrations/sqlite/0022_audit_chains.sql"),
    },
    Migration {
        version: 23,
        name: "job_runs",
        sql: include_str!("../migrations/sqlite/0023_job_runs.sql"),
    },
    Migration {
        version: 24,
        name: "programmes",
        sql: include_str!("../migrations/sqlite/0024_programmes.sql"),
    },
    Migration {
        version: 25,
        name: "rosters",
        sql: include_str!("../migrations/sqlite/0025_rosters.sql"),
    },
    Migration {
        version: 26,
        name: "entitlement_partitions",
        sql: include_str!("../migrations/sqlite/0026_entitlement_partitions.sql"),
    },
    Migration {
        version: 27,
        name: "income_band",
        sql: include_str!("../migrations/sqlite/0027_income_band.sql"),
    },
    Migration {
        version: 28,
        name: "warehouses",
        sql: include_str!("../migrations/sqlite/0028_warehouses.sql"),
    },
    Migration {
        version: 29,
        name: "outlets",
        sql: include_str!("../migrations/sqlite/0029_outlets.sql"),
    },
    Migration {
        version: 30,
        name: "stock",
        sql: include_str!("../migrations/sqlite/0030_stock.sql"),
    },
    Migration {
        version: 31,
        name: "complaints",
        sql: include_str!("../migrations/sqlite/0031_complaints.sql"),
    },
    Migration {
        version: 32,
        name: "bread_conversion",
        sql: include_str!("../migrations/sqlite/0032_bread_conversion.sql"),
    },
    Migration {
        version: 33,
        name: "proxies",
        sql: include_str!("../migrations/sqlite/0033_proxies.sql"),
    },
    Migration {
        version: 34,
        name: "payments",
        sql: include_str!("../migrations/sqlite/0034_payments.sql"),
    },
    Migration {
        version: 35,
        name: "proxy_collections",
        sql: include_str!("../migrations/sqlite/0035_proxy_collections.sql"),
    },
    Migration {
        version: 36,
        name: "proxy_outlets",
        sql: include_str!("../migrations/sqlite/0036_proxy_outlets.sql"),
    },
    Migration {
        version: 37,
        name: "proxy_findings",
        sql: include_str!("../migrations/sqlite/0037_proxy_findings.sql"),
    },
    Migration {
        version: 38,
        name: "proxy_tickets",
        sql: include_str!("../migrations/sqlite/0038_proxy_tickets.sql"),
    },
];

pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "registry",
        sql: include_str!("../migrations/postgres/0001_registry.sql"),
    },
    Migration {
        version: 2,
        name: "audit",
        sql: include_str!("../migrations/postgres/0002_audit.sql"),
    },
    Migration {
        version: 3,
        name: "staff",
        sql: include_str!("../migrations/postgres/0003_staff.sql"),
    },
    Migration {
        version: 4,
        name: "access",
        sql: include_str!("../migrations/postgres/0004_access.sql"),
    },
    Migration {
        version: 5,
        name: "devices",
        sql: include_str!("../migrations/postgres/0005_devices.sql"),
    },
    Migration {
        version: 6,
        name: "civil",
        sql: include_str!("../migrations/postgres/0006_civil.sql"),
    },
    Migration {
        version: 7,
        name: "hub",
        sql: include_str!("../migrations/postgres/0007_hub.sql"),
    },
    Migration {
        version: 8,
        name: "evidence",
        sql: include_str!("../migrations/postgres/0008_evidence.sql"),
    },
    Migration {
        version: 9,
        name: "vital_events",
        sql: include_str!("../migrations/postgres/0009_vital_events.sql"),
    },
    Migration {
        version: 10,
        name: "jobs",
        sql: include_str!("../migrations/postgres/0010_jobs.sql"),
    },
    Migration {
        version: 11,
        name: "household_events",
        sql: include_str!("../migrations/postgres/0011_household_events.sql"),
    },
    Migration {
        version: 12,
        name: "crvs",
        sql: include_str!("../migrations/postgres/0012_crvs.sql"),
    },
    Migration {
        version: 13,
        name: "civil_codes",
        sql: include_str!("../migrations/postgres/0013_civil_codes.sql"),
    },
    Migration {
        version: 14,
        name: "cards",
        sql: include_str!("../migrations/postgres/0014_cards.sql"),
    },
    Migration {
        version: 15,
        name: "stations",
        sql: include_str!("../migrations/postgres/0015_stations.sql"),
    },
    Migration {
        version: 16,
        name: "appointments",
        sql: include_str!("../migrations/postgres/0016_appointments.sql"),
    },
    Migration {
        version: 17,
        name: "declared_ids",
        sql: include_str!("../migrations/postgres/0017_declared_ids.sql"),
    },
    Migration {
        version: 18,
        name: "proposed_members",
        sql: include_str!("../migrations/postgres/0018_proposed_members.sql"),
    },
    Migration {
        version: 19,
        name: "screening",
        sql: include_str!("../migrations/postgres/0019_screening.sql"),
    },
    Migration {
        version: 20,
        name: "exemption_documents",
        sql: include_str!("../migrations/postgres/0020_exemption_documents.sql"),
    },
    Migration {
        version: 21,
        name: "sign_in_throttle",
        sql: include_str!("../migrations/postgres/0021_sign_in_throttle.sql"),
    },
    Migration {
        version: 22,
        name: "audit_chains",
        sql: include_str!("../migrations/postgres/0022_audit_chains.sql"),
    },
    Migration {
        version: 23,
        name: "job_runs",
        sql: include_str!("../migrations/postgres/0023_job_runs.sql"),
    },
    Migration {
        version: 24,
        name: "programmes",
        sql: include_str!("../migrations/postgres/0024_programmes.sql"),
    },
    Migration {
        version: 25,
        name: "rosters",
        sql: include_str!("../migrations/postgres/0025_rosters.sql"),
    },
    Migration {
        version: 26,
        name: "entitlement_partitions",
        sql: include_str!("../migrations/postgres/0026_entitlement_partitions.sql"),
    },
    Migration {
        version: 27,
        name: "income_band",
        sql: include_str!("../migrations/postgres/0027_income_band.sql"),
    },
    Migration {
        version: 28,
        name: "warehouses",
        sql: include_str!("../migrations/postgres/0028_warehouses.sql"),
    },
    Migration {
        version: 29,
        name: "outlets",
        sql: include_str!("../migrations/postgres/0029_outlets.sql"),
    },
    Migration {
        version: 30,
        name: "stock",
        sql: include_str!("../migrations/postgres/0030_stock.sql"),
    },
    Migration {
        version: 31,
        name: "complaints",
        sql: include_str!("../migrations/postgres/0031_complaints.sql"),
    },
    Migration {
        version: 32,
        name: "bread_conversion",
        sql: include_str!("../migrations/postgres/0032_bread_conversion.sql"),
    },
    Migration {
        version: 33,
        name: "proxies",
        sql: include_str!("../migrations/postgres/0033_proxies.sql"),
    },
    Migration {
        version: 34,
        name: "payments",
        sql: include_str!("../migrations/postgres/0034_payments.sql"),
    },
    Migration {
        version: 35,
        name: "proxy_collections",
        sql: include_str!("../migrations/postgres/0035_proxy_collections.sql"),
    },
    Migration {
        version: 36,
        name: "proxy_outlets",
        sql: include_str!("../migrations/postgres/0036_proxy_outlets.sql"),
    },
    Migration {
        version: 37,
        name: "proxy_findings",
        sql: include_str!("../migrations/postgres/0037_proxy_findings.sql"),
    },
    Migration {
        version: 38,
        name: "proxy_tickets",
        sql: include_str!("../migrations/postgres/0038_proxy_tickets.sql"),
    },
];

pub(crate) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// Splits a migration into statements at semicolons that end a line (the files keep that shape).
pub(crate) fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in sql.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if trimmed.ends_with(';') {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}
