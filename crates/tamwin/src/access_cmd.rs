//! Access commands: API tokens, device keys, and the demo's accounts (one per role for Karbala) and citizen number.

use std::sync::Arc;
use tamwin_app::{Actor, AppError, Registry};
use tamwin_domain::access::Role;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn message(e: AppError) -> Error {
    match e {
        AppError::Validation(v) => v.to_string().into(),
        e => tamwin_web::errors::english(&e).into(),
    }
}

pub async fn token_create(
    reg: &Registry,
    name: &str,
    role: &str,
    area: &str,
    days: i64,
) -> Result<(), Error> {
    let (t, secret) = reg
        .create_token(name, role, area, days, &Actor::system("cli"))
        .await
        .map_err(message)?;
    println!(
        "token {} for {} ({}, area {}), expires {}",
        t.token_id,
        t.name,
        t.role.code(),
        t.area,
        t.expires_at
    );
    println!("secret (shown once; send as Authorization: Bearer …): {secret}");
    Ok(())
}

pub async fn token_list(reg: &Registry) -> Result<(), Error> {
    for t in reg.tokens(&Actor::system("cli")).await.map_err(message)? {
        let state = match t.revoked_at {
            Some(r) => format!("revoked {r}"),
            None => format!("expires {}", t.expires_at),
        };
        println!(
            "{}\t{}\t{}\t{}\t{state}",
            t.token_id,
            t.name,
            t.role.code(),
            t.area
        );
    }
    Ok(())
}

pub async fn token_revoke(reg: &Registry, id: &str) -> Result<(), Error> {
    reg.revoke_token(id, &Actor::system("cli"))
        .await
        .map_err(message)?;
    println!("token {id} revoked");
    Ok(())
}

pub async fn device_add(
    reg: &Registry,
    name: &str,
    role: &str,
    area: &str,
    public_key: &str,
) -> Result<(), Error> {
    let d = reg
        .add_device(name, role, area, public_key, &Actor::system("cli"))
        .await
        .map_err(message)?;
    println!(
        "device {} for {} ({}, area {})",
        d.device_id,
        d.name,
        d.role.code(),
        d.area
    );
    Ok(())
}

pub async fn device_list(reg: &Registry) -> Result<(), Error> {
    for d in reg.devices(&Actor::system("cli")).await.map_err(message)? {
        let state = d
            .revoked_at
            .map(|r| format!("revoked {r}"))
            .unwrap_or_else(|| "active".into());
        println!(
            "{}\t{}\t{}\t{}\t{}\t{state}",
            d.device_id,
            d.name,
            d.role.code(),
            d.area,
            d.public_key
        );
    }
    Ok(())
}

pub async fn device_revoke(reg: &Registry, id: &str) -> Result<(), Error> {
    reg.revoke_device(id, &Actor::system("cli"))
        .await
        .map_err(message)?;
    println!("device {id} revoked");
    Ok(())
}

/// The area each demo role works in: Karbala, its first district, its first update centre, or the
/// first ration agent of that district (an outlet operator names an outlet).
fn demo_area(r: Role) -> &'static str {
    match r {
        Role::CentreOfficer => "KRB-C01",
        Role::MobileTeamOfficer => "1101",
        Role::OutletOperator => "A11010001",
        _ => "11",
    }
}

/// Creates one account per role for Karbala with generated passwords, finds a household with a mobile
/// number for the citizen sign-in, prints both and writes them as JSON to `out` (docs/formats.md).
pub async fn demo_accounts(
    reg: &Arc<Registry>,
    store: &dyn tamwin_store::Store,
    out: &std::path::Path,
) -> Result<Option<tamwin_domain::Phone>, Error> {
    // A few heads of household with a mobile number: the first for the citizen's page, the others so
    // that journeys (a booking, say) can run side by side without sharing a family.
    let mut citizens = vec![];
    let mut found = None;
    let mut outlet = demo_area(Role::OutletOperator).to_string();
    for n in 0..200u64 {
        let phone = tamwin_synth::synthetic_phone(n);
        let Ok(p) = tamwin_domain::Phone::parse(&phone) else {
            continue;
        };
        if let Some(hid) = store.household_by_phone(&p).await? {
            if found.is_none() {
                // The outlet operator works at the first citizen's ration agent, so that the family
                // can collect there in the demo.
                outlet = store
                    .household_by_id(&hid)
                    .await?
                    .and_then(|r| r.household.agent_code)
                    .unwrap_or(outlet);
            }
            if found.is_none() {
                println!(
                    "Citizen sign-in: /citizen/sign-in with {} (codes appear on /demo/outbox)",
                    p.display()
                );
                found = Some(p);
            }
            citizens.push(serde_json::json!({ "phone": phone }));
            if citizens.len() == 3 {
                break;
            }
        }
    }
    let mut accounts = Vec::new();
    println!("Demo accounts (Karbala):");
    // A second supervisor: cycles are approved by someone other than who drafted them.
    let second = (
        "governorate-supervisor-2.karbala".to_string(),
        Role::GovernorateSupervisor,
    );
    let named = Role::ALL
        .into_iter()
        .map(|r| (format!("{}.karbala", r.code().replace('_', "-")), r));
    for (username, r) in named.chain([second]) {
        let (acc, pw) = reg
            .add_staff(
                &username,
                r.code(),
                match r {
                    Role::OutletOperator => &outlet,
                    _ => demo_area(r),
                },
                None,
                &Actor::system("demo"),
            )
            .await
            .map_err(message)?;
        let pw = pw.unwrap_or_default();
        println!(
            "  {:32} {:24} area {:8} password {pw}",
            acc.username,
            r.code(),
            acc.area.code()
        );
        accounts.push(serde_json::json!({
            "username": acc.username, "role": r.code(), "area": acc.area.code(), "outlet": acc.outlet, "password": pw,
        }));
    }
    let citizen = citizens.first().cloned().unwrap_or(serde_json::Value::Null);
    let doc = serde_json::json!({ "accounts": accounts, "citizen": citizen, "citizens": citizens });
    // The passwords are in it: owner-only.
    crate::owner_only::write(out, serde_json::to_string_pretty(&doc)?.as_bytes())?;
    println!("(also written to {})", out.display());
    Ok(found)
}

/// `tamwin user add|list`: staff accounts from the console (a password piped on stdin, or one made).
pub(crate) async fn user(
    rules: &crate::wiring::Settings,
    command: crate::cli::UserCommand,
) -> Result<(), Error> {
    use crate::cli::UserCommand;
    use crate::wiring::registry;
    match command {
        UserCommand::Add {
            username,
            role,
            area,
        } => {
            use std::io::{IsTerminal, Read};
            let mut piped = String::new();
            if !std::io::stdin().is_terminal() {
                std::io::stdin().read_to_string(&mut piped)?;
            }
            let piped = piped.trim_end_matches(['\r', '\n']);
            let password = (!piped.is_empty()).then_some(piped);
            let reg = registry(rules).await?;
            match reg
                .add_staff(
                    &username,
                    &role,
                    &area,
                    password,
                    &tamwin_app::Actor::system("cli"),
                )
                .await
            {
                Ok((acct, generated)) => {
                    println!(
                        "added {} ({}, area {})",
                        acct.username,
                        acct.role.code(),
                        acct.area.code()
                    );
                    if let Some(p) = generated {
                        println!("password (shown once): {p}");
                    }
                    Ok(())
                }
                Err(tamwin_app::AppError::Validation(v)) => Err(v.to_string().into()),
                Err(e) => Err(tamwin_web::errors::english(&e).into()),
            }
        }
        UserCommand::List => {
            let reg = registry(rules).await?;
            let all = reg
                .staff_list(&tamwin_app::Actor::system("cli"))
                .await
                .map_err(|e| tamwin_web::errors::english(&e))?;
            for u in all {
                let locked = u
                    .locked_until
                    .map(|t| format!(" locked until {t}"))
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}{locked}",
                    u.account.username,
                    u.account.role.code(),
                    u.account.area.code()
                );
            }
            Ok(())
        }
    }
}
