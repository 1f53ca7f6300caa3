//! One household from its rows: every field validated, every problem written to the reject file.

use super::csv_groups::Row;
use super::{Rejects, reject};
use std::collections::HashMap;
use std::sync::Arc;
use tamwin_domain::household::{MemberInput, NewHousehold};
use tamwin_domain::{
    CardNumber, Hold, HoldReason, Household, HouseholdRecord, Member, MemberId, Presence,
    Vulnerability,
};

fn flag(s: &str) -> Option<bool> {
    match s.trim() {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" | "" => Some(false),
        _ => None,
    }
}

pub(super) struct Parser {
    pub reg_ids: Arc<dyn crate::IdGen>,
    pub geo: Arc<tamwin_domain::Geography>,
    pub today: jiff::civil::Date,
    pub now: jiff::Timestamp,
    /// Agent code to district, when agents.csv came with the import.
    pub agents: Option<HashMap<String, String>>,
    pub rejects: Rejects,
}

impl Parser {
    /// The closing row of a refused household, after the rows that say why.
    pub fn reject_household(&self, line: u64, card: &str) {
        reject(
            &self.rejects,
            "households.csv",
            line,
            card,
            "household_rejected",
            "household not imported: see the rows above",
        );
    }

    /// Builds one household record, or writes every reason it is refused to the reject file.
    pub fn household(
        &self,
        line: u64,
        hf: &[String],
        members: Vec<Row>,
        holds: Vec<Row>,
    ) -> Option<HouseholdRecord> {
        let card_text = &hf[0];
        let mut problems: Vec<(&str, u64, String, String)> = Vec::new();
        let gov = tamwin_text_ar::fold_digits(hf[1].trim());
        let district = tamwin_text_ar::fold_digits(hf[2].trim());
        let card = match CardNumber::parse(card_text) {
            Ok(c) if c.governorate_code() == gov => Some(c),
            Ok(_) => {
                problems.push((
                    "households.csv",
                    line,
                    "card_governorate_mismatch".into(),
                    "the card number's first two digits are not the governorate code".into(),
                ));
                None
            }
            Err(e) => {
                problems.push(("households.csv", line, e.code.into(), e.message_en));
                None
            }
        };
        let agent = Some(hf[4].trim().to_string()).filter(|a| !a.is_empty());
        if let (Some(a), Some(known)) = (&agent, &self.agents) {
            match known.get(a) {
                None => problems.push((
                    "households.csv",
                    line,
                    "agent_unknown".into(),
                    format!("agent {a} is not in agents.csv"),
                )),
                Some(d) if *d != district => problems.push((
                    "households.csv",
                    line,
                    "agent_wrong_district".into(),
                    format!("agent {a} serves district {d}, not {district}"),
                )),
                Some(_) => {}
            }
        }
        let mut inputs = Vec::new();
        let mut numbers = Vec::new();
        for m in &members {
            match &m.fields {
                Err((code, msg)) => {
                    problems.push(("members.csv", m.line, (*code).into(), msg.clone()))
                }
                Ok(f) => {
                    let (Some(elderly), Some(sick), Some(disabled)) =
                        (flag(&f[11]), flag(&f[12]), flag(&f[13]))
                    else {
                        problems.push((
                            "members.csv",
                            m.line,
                            "flag_invalid".into(),
                            "elderly, sick and disabled are 0 or 1".into(),
                        ));
                        continue;
                    };
                    let no = f[1].trim().parse::<i64>().ok().filter(|n| *n > 0);
                    let Some(no) = no.filter(|n| !numbers.iter().any(|(x, _)| x == n)) else {
                        problems.push((
                            "members.csv",
                            m.line,
                            "member_no_invalid".into(),
                            "member_no must be a positive number, once per card".into(),
                        ));
                        continue;
                    };
                    numbers.push((no, m.line));
                    inputs.push(MemberInput {
                        // Empty is none; spaces alone are refused (`national_id_blank`).
                        national_id: Some(f[2].clone()).filter(|s| !s.is_empty()),
                        given_name: f[3].clone(),
                        father_name: f[4].clone(),
                        grandfather_name: f[5].clone(),
                        family_name: Some(f[6].clone()).filter(|s| !s.trim().is_empty()),
                        mother_name: f[7].clone(),
                        birth_date: f[8].clone(),
                        sex: f[9].clone(),
                        relation: f[10].clone(),
                        vulnerability: Vulnerability {
                            elderly,
                            sick,
                            disabled,
                        },
                    });
                }
            }
        }
        let new = NewHousehold {
            governorate: hf[1].clone(),
            district: hf[2].clone(),
            address: hf[3].clone(),
            agent_code: agent,
            phone: Some(hf[5].clone()),
            members: inputs,
        };
        let valid = match new.validate(&self.geo, self.today) {
            Ok(v) if problems.is_empty() => Some(v),
            Ok(_) => None,
            Err(errs) => {
                for e in errs.0 {
                    // Point member errors at their own line.
                    let (file, l) = e
                        .field
                        .strip_prefix("members[")
                        .and_then(|s| s.split(']').next())
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| numbers.get(i))
                        .map(|(_, l)| ("members.csv", *l))
                        .unwrap_or(("households.csv", line));
                    problems.push((
                        file,
                        l,
                        e.code.into(),
                        format!("{}: {}", e.field, e.message_en),
                    ));
                }
                None
            }
        };
        let (Some(card), Some(valid)) = (card, valid) else {
            for (file, l, code, msg) in &problems {
                reject(&self.rejects, file, *l, card_text, code, msg);
            }
            self.reject_household(line, card_text);
            return None;
        };
        let mut by_no: HashMap<i64, MemberId> = HashMap::new();
        let members: Vec<Member> = valid
            .members
            .into_iter()
            .zip(&numbers)
            .map(|(data, (no, _))| {
                let id = MemberId::new(self.reg_ids.id());
                by_no.insert(*no, id.clone());
                Member {
                    member_id: id,
                    member_no: *no,
                    data,
                    presence: Presence::Present,
                    removed_reason: None,
                }
            })
            .collect();
        let mut hold_list: Vec<Hold> = Vec::new();
        let mk = |member_id: Option<MemberId>, reason, evidence: &str, source: &str| Hold {
            hold_id: self.reg_ids.id(),
            member_id,
            reason,
            evidence: evidence.into(),
            source: source.into(),
            since: self.now,
            placed_by: "import".into(),
            lifted_at: None,
            lifted_by: None,
            lift_reason: None,
        };
        for m in &members {
            for r in tamwin_domain::household::automatic_holds(&m.data) {
                hold_list.push(mk(
                    Some(m.member_id.clone()),
                    r,
                    crate::rule_evidence(r),
                    "registry_rule",
                ));
            }
        }
        for h in &holds {
            let parsed = match &h.fields {
                Err((code, msg)) => Err(((*code).to_string(), msg.clone())),
                Ok(f) => {
                    let member = if f[1].trim().is_empty() {
                        Ok(None)
                    } else {
                        f[1].trim()
                            .parse::<i64>()
                            .ok()
                            .and_then(|n| by_no.get(&n).cloned())
                            .map(Some)
                            .ok_or(())
                    };
                    let text = tamwin_domain::check_free_text("evidence", &f[3], 1000)
                        .or_else(|| tamwin_domain::check_free_text("source", &f[4], 100));
                    match (member, HoldReason::parse(f[2].trim())) {
                        _ if text.is_some() => Err((
                            "text_invalid_characters".into(),
                            text.map(|e| e.message_en).unwrap_or_default(),
                        )),
                        (Ok(_), Some(_)) if f[4].trim().is_empty() => Err((
                            "source_required".into(),
                            "a hold needs the source of its evidence".into(),
                        )),
                        (Ok(m), Some(r)) if !f[3].trim().is_empty() => Ok(mk(m, r, &f[3], &f[4])),
                        (Err(()), _) => Err((
                            "member_unknown".into(),
                            "member_no names no member of this card".into(),
                        )),
                        (_, None) => Err((
                            "hold_reason_unknown".into(),
                            format!("unknown hold reason {}", f[2]),
                        )),
                        _ => Err((
                            "evidence_required".into(),
                            "a hold needs its evidence".into(),
                        )),
                    }
                }
            };
            match parsed {
                Ok(h) => hold_list.push(h),
                Err((code, msg)) => {
                    reject(&self.rejects, "holds.csv", h.line, card_text, &code, &msg);
                    self.reject_household(line, card_text);
                    return None;
                }
            }
        }
        let head = members
            .iter()
            .find(|m| m.relation == tamwin_domain::Relation::Head)?
            .member_id
            .clone();
        let mut rec = HouseholdRecord {
            household: Household {
                household_id: self.reg_ids.id().into(),
                card_number: card,
                governorate: valid.governorate,
                district: valid.district,
                address: valid.address,
                agent_code: valid.agent_code,
                flour_agent_code: None,
                phone: valid.phone,
                state: tamwin_domain::CardState::Active,
                head_member_id: head,
                version: 1,
                created_at: self.now,
                updated_at: self.now,
                closed_at: None,
            },
            members,
            holds: hold_list,
        };
        rec.household.state = rec.derived_state();
        Some(rec)
    }
}
