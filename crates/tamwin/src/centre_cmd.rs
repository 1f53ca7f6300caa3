//! `tamwin centre holiday|holidays`: the days an update centre or a mobile team is closed.

use crate::Error;
use crate::cli::CentreCommand;
use crate::wiring::{Settings, registry_and_store};

pub(crate) async fn run(rules: &Settings, command: CentreCommand) -> Result<(), Error> {
    match command {
        CentreCommand::Holiday { centre, day, name } => {
            let (reg, store) = registry_and_store(rules).await?;
            let d = tamwin_domain::household::parse_date(&day).ok_or("--day: YYYY-MM-DD")?;
            let known = centre == "*"
                || reg.geo().centre(&centre).is_some()
                || store.teams().await?.iter().any(|t| t.team_code == centre);
            if !known {
                return Err(format!("--centre: unknown centre or team {centre}").into());
            }
            if name.trim().is_empty() {
                return Err("--name: the holiday's name is needed".into());
            }
            store
                .save_holiday(&centre, &d.to_string(), name.trim())
                .await?;
            println!("{centre} closed on {d}: {}", name.trim());
            Ok(())
        }
        CentreCommand::Holidays { centre } => {
            let (reg, store) = registry_and_store(rules).await?;
            let today = reg.clock().today();
            let until = today.saturating_add(jiff::Span::new().days(366));
            for d in store
                .holidays(&centre, &today.to_string(), &until.to_string())
                .await?
            {
                println!("{d}");
            }
            Ok(())
        }
    }
}
