//! Outlets as data (issue 16 point 1; docs/outlets.md): the outlets file, the supervisors' suspension
//! and reinstatement of an outlet, and moving an agent's households to another agent. The outlets
//! file is refused whole when it is not UTF-8 or lacks the columns; a line that cannot be used is a
//! reject row; the rest is written in one transaction with one audit entry.

use crate::lists::refused;
use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::access::Permission;
use tamwin_domain::csv_columns::OUTLETS as OUTLET_COLUMNS;
use tamwin_domain::outlet::{Licence, Outlet, OutletKind, parse_days, parse_degrees, parse_hour};
use tamwin_store::AgentSlot;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutletReject {
    pub line: u64,
    pub outlet_code: String,
    pub code: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutletImport {
    pub outlets: usize,
    pub rejects: Vec<OutletReject>,
}

/// An outlet as staff, devices and citizens see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutletView {
    pub code: String,
    /// `ration_agent`, `flour_agent`, `bakery`, `commodity_outlet`.
    pub kind: String,
    pub governorate: String,
    pub district: String,
    pub name_ar: String,
    pub address: String,
    /// Decimal degrees.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// `active`, `suspended`, `revoked`.
    pub licence: String,
    pub warehouse_code: Option<String>,
    /// Of `sat sun mon tue wed thu fri`.
    pub opening_days: Vec<String>,
    pub opens: String,
    pub closes: String,
}

fn degrees(e6: i64) -> String {
    let sign = if e6 < 0 { "-" } else { "" };
    format!("{sign}{}.{:06}", e6.abs() / 1_000_000, e6.abs() % 1_000_000)
}

impl OutletView {
    pub fn of(o: &Outlet, geo: &tamwin_domain::Geography) -> Self {
        Self {
            code: o.code.clone(),
            kind: o.kind.code().into(),
            governorate: geo
                .district(&o.district_code)
                .map(|d| d.governorate_code.clone())
                .unwrap_or_default(),
            district: o.district_code.clone(),
            name_ar: o.name_ar.clone(),
            address: o.address.clone(),
            latitude: o.location.map(|l| degrees(l.0)),
            longitude: o.location.map(|l| degrees(l.1)),
            licence: o.licence.code().into(),
            warehouse_code: o.warehouse_code.clone(),
            opening_days: o.opening_days.iter().map(|d| d.to_string()).collect(),
            opens: o.opens.clone(),
            closes: o.closes.clone(),
        }
    }
}

/// A reference code (outlet, warehouse): 1 to 40 letters, digits, `-` and `_`.
pub(crate) fn code_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Registry {
    /// Reads one line of the outlets file into an outlet, or the code of what is wrong with it.
    fn outlet_line(
        &self,
        cell: &dyn Fn(usize) -> String,
    ) -> std::result::Result<Outlet, &'static str> {
        let code = cell(0);
        if !code_ok(&code) {
            return Err("outlet_code_invalid");
        }
        let kind = OutletKind::parse(&cell(1)).ok_or("outlet_kind_unknown")?;
        let district = cell(2);
        if self.geo.district(&district).is_none() {
            return Err("district_unknown");
        }
        let (name, address) = (cell(3), cell(4));
        if name.is_empty() {
            return Err("outlet_name_missing");
        }
        if tamwin_domain::check_free_text("name_ar", &name, 200).is_some()
            || tamwin_domain::check_free_text("address", &address, 300).is_some()
        {
            return Err("text_invalid_characters");
        }
        let location = match (cell(5), cell(6)) {
            (a, b) if a.is_empty() && b.is_empty() => None,
            (a, b) => Some((
                parse_degrees("latitude", &a, 90).map_err(|e| e.code)?,
                parse_degrees("longitude", &b, 180).map_err(|e| e.code)?,
            )),
        };
        let licence = match cell(7) {
            l if l.is_empty() => Licence::Active,
            l => Licence::parse(&l).ok_or("licence_unknown")?,
        };
        let opening_days = parse_days(&cell(8)).map_err(|e| e.code)?;
        let opens = parse_hour("opens", &cell(9)).map_err(|e| e.code)?;
        let closes = parse_hour("closes", &cell(10)).map_err(|e| e.code)?;
        if closes <= opens {
            return Err("hours_invalid");
        }
        let licensee_national_id = match cell(11) {
            n if n.is_empty() => None,
            n => Some(
                tamwin_domain::NationalId::parse(&n)
                    .map_err(|e| e.code)?
                    .as_str()
                    .to_string(),
            ),
        };
        Ok(Outlet {
            code,
            kind,
            district_code: district,
            name_ar: name,
            address,
            location,
            licence,
            warehouse_code: None,
            opening_days,
            opens,
            closes,
            licensee_national_id,
        })
    }

    /// The outlets file: inserts or updates each outlet by code.
    pub async fn import_outlets(&self, bytes: &[u8], actor: &Actor) -> Result<OutletImport> {
        actor.require(Permission::ManageOutlets)?;
        let text = std::str::from_utf8(bytes)
            .map_err(|_| refused("file_encoding_invalid", "the file is not UTF-8 text"))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rd = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header = rd
            .headers()
            .map_err(|_| refused("outlets_header_invalid", "the first line names the columns"))?
            .clone();
        let names: Vec<&str> = header.iter().map(str::trim).collect();
        let with_licensee = names.len() == OUTLET_COLUMNS.len() + 1
            && names.last() == Some(&tamwin_domain::csv_columns::OUTLET_LICENSEE);
        if names[..names.len().min(OUTLET_COLUMNS.len())] != OUTLET_COLUMNS
            || (names.len() != OUTLET_COLUMNS.len() && !with_licensee)
        {
            return Err(refused(
                "outlets_header_invalid",
                "the columns are those of docs/formats.md, \"Outlets file\"",
            ));
        }
        let mut rejects = vec![];
        let mut outlets: Vec<Outlet> = vec![];
        for (i, rec) in rd.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|_| {
                refused("file_encoding_invalid", "a line of the file cannot be read")
            })?;
            let cell = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
            let bad = match self.outlet_line(&cell) {
                Ok(o) if !self.district_in_reach(actor, &o.district_code) => Err("outside_area"),
                Ok(o) if outlets.iter().any(|x| x.code == o.code) => Err("outlet_repeated"),
                Ok(o) => {
                    outlets.push(o);
                    Ok(())
                }
                Err(c) => Err(c),
            };
            if let Err(code) = bad {
                rejects.push(OutletReject {
                    line,
                    outlet_code: cell(0),
                    code,
                });
            }
        }
        // An existing outlet keeps its kind: households and cycles point at it as what it was.
        for o in outlets.iter_mut() {
            let Some(old) = self.store.outlet(&o.code).await? else {
                continue;
            };
            // A file without the licensee column leaves the licensee on file as it was.
            if !with_licensee {
                o.licensee_national_id = old.licensee_national_id.clone();
            }
            if old.kind != o.kind {
                rejects.push(OutletReject {
                    line: 0,
                    outlet_code: o.code.clone(),
                    code: "outlet_kind_changed",
                });
            }
        }
        outlets.retain(|o| {
            !rejects
                .iter()
                .any(|r| r.line == 0 && r.outlet_code == o.code)
        });
        rejects.sort_by_key(|r| r.line);
        if !outlets.is_empty() {
            let log = self.log(
                "outlets.imported",
                None,
                None,
                actor,
                serde_json::json!({ "outlets": outlets.iter().map(|o| &o.code).collect::<Vec<_>>() }),
            );
            self.store.save_outlets(&outlets, &log).await?;
        }
        Ok(OutletImport {
            outlets: outlets.len(),
            rejects,
        })
    }

    fn district_in_reach(&self, actor: &Actor, district: &str) -> bool {
        self.geo
            .district(district)
            .is_some_and(|d| actor.covers(&d.governorate_code, district))
    }

    /// An outlet of the actor's area.
    pub async fn outlet_in_reach(&self, code: &str, actor: &Actor) -> Result<Outlet> {
        let o = self.store.outlet(code).await?.ok_or(AppError::NotFound)?;
        if !self.district_in_reach(actor, &o.district_code) {
            return Err(AppError::NotFound);
        }
        Ok(o)
    }

    /// The outlets of the actor's area, by district, kind and code.
    pub async fn outlets(&self, actor: &Actor) -> Result<Vec<Outlet>> {
        actor.require(Permission::ManageOutlets)?;
        let districts: Vec<String> = self
            .geo
            .districts
            .iter()
            .filter(|d| actor.covers(&d.governorate_code, &d.code))
            .map(|d| d.code.clone())
            .collect();
        Ok(self.store.outlets_in(&districts).await?)
    }

    /// Suspends an active outlet or reinstates a suspended one, with a reason; a revoked licence stays
    /// revoked.
    pub async fn set_outlet_licence(
        &self,
        code: &str,
        to: Licence,
        reason: &str,
        actor: &Actor,
    ) -> Result<Outlet> {
        actor.require(Permission::ManageOutlets)?;
        let reason = reason.trim();
        if reason.is_empty() || tamwin_domain::check_free_text("reason", reason, 500).is_some() {
            return Err(AppError::rule("reason_missing"));
        }
        let o = self.outlet_in_reach(code, actor).await?;
        let from = match (o.licence, to) {
            (Licence::Active, Licence::Suspended) | (Licence::Active, Licence::Revoked) => {
                Licence::Active
            }
            (Licence::Suspended, Licence::Active) | (Licence::Suspended, Licence::Revoked) => {
                Licence::Suspended
            }
            _ => return Err(AppError::rule("licence_unchanged")),
        };
        let log = self.log(
            "outlet.licence",
            Some(o.code.clone()),
            Some(reason.to_string()),
            actor,
            serde_json::json!({ "from": from.code(), "to": to.code() }),
        );
        if !self.store.set_licence(&o.code, from, to, &log).await? {
            return Err(AppError::Busy);
        }
        self.outlet_in_reach(code, actor).await
    }

    /// Moves every household of an agent to another agent of the same kind and governorate (the
    /// first suspended, say); returns how many moved. The open cycles' entitlements follow.
    pub async fn move_outlet_households(
        &self,
        from: &str,
        to: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<u64> {
        actor.require(Permission::ManageOutlets)?;
        let reason = reason.trim();
        if reason.is_empty() || tamwin_domain::check_free_text("reason", reason, 500).is_some() {
            return Err(AppError::rule("reason_missing"));
        }
        let a = self.outlet_in_reach(from, actor).await?;
        let b = self.outlet_in_reach(to, actor).await?;
        let slot = AgentSlot::of(a.kind).ok_or(AppError::rule("outlet_not_agent"))?;
        let gov = |o: &Outlet| {
            self.geo
                .district(&o.district_code)
                .map(|d| d.governorate_code.clone())
        };
        if a.code == b.code || a.kind != b.kind || gov(&a) != gov(&b) {
            return Err(AppError::rule("outlet_move_invalid"));
        }
        if b.licence != Licence::Active {
            return Err(AppError::rule("outlet_not_active"));
        }
        let log = self.log(
            "outlet.households_moved",
            Some(a.code.clone()),
            Some(reason.to_string()),
            actor,
            serde_json::json!({ "from": a.code, "to": b.code }),
        );
        Ok(self
            .store
            .move_households(slot, &a.code, &b.code, &log)
            .await?)
    }

    /// Assigns a household of the actor's area to an agent of its governorate (its ration agent or
    /// its flour agent, by the outlet's kind).
    pub async fn assign_agent(
        &self,
        card: &tamwin_domain::CardNumber,
        outlet: &str,
        actor: &Actor,
    ) -> Result<()> {
        actor.require(Permission::ManageOutlets)?;
        let r = self.card_in_reach(card, actor).await?;
        let o = self.outlet_in_reach(outlet, actor).await?;
        let slot = AgentSlot::of(o.kind).ok_or(AppError::rule("outlet_not_agent"))?;
        let gov = self
            .geo
            .district(&o.district_code)
            .map(|d| d.governorate_code.as_str());
        if gov != Some(r.household.governorate.as_str()) {
            return Err(AppError::rule("card_other_governorate"));
        }
        if o.licence != Licence::Active {
            return Err(AppError::rule("outlet_not_active"));
        }
        let log = self.log(
            "household.agent_assigned",
            None,
            None,
            actor,
            serde_json::json!({ "outlet": o.code, "kind": o.kind.code() }),
        );
        self.store
            .assign_agents(slot, &[(r.household.household_id.clone(), o.code)], &[log])
            .await?;
        Ok(())
    }
}
