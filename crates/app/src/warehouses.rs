//! The warehouses file (docs/formats.md, "Warehouses file"): the ministry's warehouses and the ration
//! agents each supplies, a line per agent, so that a dry run can say what each warehouse must send
//! (issue 15 point 3). A file that is not UTF-8 or lacks the columns is refused whole; a line that
//! cannot be used is a reject row; the rest is written in one transaction.

use crate::lists::refused;
use crate::outlets::code_ok;
use crate::{Actor, Registry, Result};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tamwin_domain::access::Permission;
use tamwin_domain::geography::Warehouse;

use tamwin_domain::csv_columns::WAREHOUSES as WAREHOUSE_COLUMNS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarehouseReject {
    pub line: u64,
    pub warehouse_code: String,
    pub agent_code: String,
    pub code: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct WarehouseImport {
    pub warehouses: usize,
    pub agents: usize,
    pub rejects: Vec<WarehouseReject>,
}

struct Line {
    line: u64,
    warehouse: Warehouse,
    agent: String,
}

impl Registry {
    pub async fn import_warehouses(&self, bytes: &[u8], actor: &Actor) -> Result<WarehouseImport> {
        actor.require(Permission::ManageProgrammes)?;
        let text = std::str::from_utf8(bytes)
            .map_err(|_| refused("file_encoding_invalid", "the file is not UTF-8 text"))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rd = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header = rd
            .headers()
            .map_err(|_| {
                refused(
                    "warehouses_header_invalid",
                    "the first line names the columns",
                )
            })?
            .clone();
        let names: Vec<&str> = header.iter().map(str::trim).collect();
        if names != WAREHOUSE_COLUMNS {
            return Err(refused(
                "warehouses_header_invalid",
                "the columns are warehouse_code, governorate, name_ar, agent_code",
            ));
        }
        let mut rejects = vec![];
        let mut lines: Vec<Line> = vec![];
        for (i, rec) in rd.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|_| {
                refused("file_encoding_invalid", "a line of the file cannot be read")
            })?;
            let cell = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
            let (code, gov, name, agent) = (cell(0), cell(1), cell(2), cell(3));
            let bad = if !code_ok(&code) {
                Some("warehouse_code_invalid")
            } else if self.geo.governorate(&gov).is_none() {
                Some("governorate_unknown")
            } else if name.is_empty() {
                Some("warehouse_name_missing")
            } else if tamwin_domain::check_free_text("name_ar", &name, 200).is_some() {
                Some("text_invalid_characters")
            } else if !code_ok(&agent) {
                Some("agent_unknown")
            } else {
                None
            };
            match bad {
                Some(c) => rejects.push(WarehouseReject {
                    line,
                    warehouse_code: code,
                    agent_code: agent,
                    code: c,
                }),
                None => lines.push(Line {
                    line,
                    warehouse: Warehouse {
                        code,
                        governorate_code: gov,
                        name_ar: name,
                    },
                    agent,
                }),
            }
        }
        let codes: Vec<String> = lines.iter().map(|l| l.agent.clone()).collect();
        let districts: HashMap<String, String> = self
            .store
            .agents_of_codes(&codes)
            .await?
            .into_iter()
            .map(|a| (a.code, a.district_code))
            .collect();
        let mut warehouses: BTreeMap<String, Warehouse> = BTreeMap::new();
        let mut assigned: HashMap<String, String> = HashMap::new();
        for l in lines {
            let district = districts.get(&l.agent);
            let first = warehouses.get(&l.warehouse.code);
            let bad = match district {
                None => Some("agent_unknown"),
                Some(d)
                    if self.geo.district(d).map(|d| d.governorate_code.as_str())
                        != Some(l.warehouse.governorate_code.as_str()) =>
                {
                    Some("agent_other_governorate")
                }
                _ if assigned.contains_key(&l.agent) => Some("agent_repeated"),
                _ if first.is_some_and(|w| *w != l.warehouse) => Some("warehouse_lines_differ"),
                _ => None,
            };
            if let Some(c) = bad {
                rejects.push(WarehouseReject {
                    line: l.line,
                    warehouse_code: l.warehouse.code,
                    agent_code: l.agent,
                    code: c,
                });
                continue;
            }
            assigned.insert(l.agent, l.warehouse.code.clone());
            warehouses
                .entry(l.warehouse.code.clone())
                .or_insert(l.warehouse);
        }
        rejects.sort_by_key(|r| r.line);
        let warehouses: Vec<Warehouse> = warehouses.into_values().collect();
        let agents: Vec<(String, String)> = assigned.into_iter().collect();
        self.store.save_warehouses(&warehouses, &agents).await?;
        Ok(WarehouseImport {
            warehouses: warehouses.len(),
            agents: agents.len(),
            rejects,
        })
    }
}
