//! `tamwin serve` and `tamwin demo`: the registry wired to its gateways and keys, the job runner, and
//! the web server.

use crate::Error;
use crate::wiring::{Settings, Wired, count_members, form_keys, wire};
use crate::{access_cmd, data_cmd, hub_cmd, hub_http, sms_http};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tamwin_app::Registry;

/// `tamwin serve`: checked first that sign-in codes can be delivered, so that a server that cannot
/// does not start by mistake.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn serve_command(
    rules: &Settings,
    listen: &str,
    hub: &hub_http::HubFlags,
    form_key: &Path,
    sms: &sms_http::SmsFlags,
    payments: &crate::payments_cmd::PaymentFlags,
    metrics_token: Option<String>,
    jobs: bool,
) -> Result<(), Error> {
    let gateway = sms_http::gateway(sms)?;
    let Wired { mut reg, civil, .. } = wire(&rules.database_url, rules).await?;
    crate::payments_cmd::connect(&mut reg, payments)?;
    reg.set_sms(gateway);
    reg.set_forms(Arc::new(form_keys(form_key, reg.clock().now())?));
    hub_http::connect(&mut reg, hub, listen)?;
    if reg.hub_client().is_none() {
        hub_cmd::embed_civil_search(&mut reg, civil).await?;
    }
    let web = tamwin_web::Config {
        demo: false,
        metrics_token,
        registry_sms: None,
    };
    serve(Arc::new(reg), listen, web, jobs).await
}

/// `tamwin demo`: a fresh SQLite file with a synthetic Karbala, the reference civil registry in
/// process, one account per role, and the server.
pub(crate) async fn demo(
    rules: &Settings,
    households: u64,
    listen: &str,
    db: &Path,
    seed: u64,
    clock_start: Option<String>,
) -> Result<(), Error> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.to_path_buf().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let url = format!("sqlite://{}", db.display());
    let Wired {
        mut reg,
        store,
        civil,
    } = wire(&url, rules).await?;
    if let Some(start) = clock_start {
        let start: jiff::Timestamp = start
            .parse()
            .map_err(|e| format!("--clock-start {start}: {e}"))?;
        let offset = start.duration_since(jiff::Timestamp::now());
        reg.set_clock(Arc::new(tamwin_app::OffsetClock(offset)));
        println!("The demo's clock starts at {start}");
    }
    let forms = form_keys(&db.with_extension("forms.key"), reg.clock().now())?;
    reg.set_forms(Arc::new(forms));
    let dir = std::env::temp_dir().join(format!("tamwin-demo-{}", std::process::id()));
    let cfg = tamwin_synth::Config {
        households,
        seed,
        governorate: Some("11".into()),
        ..Default::default()
    };
    data_cmd::generate(&cfg, &dir)?;
    data_cmd::import(&reg, &dir, &dir.join("rejects.csv"), count_members(&dir)).await?;
    crate::warehouse_cmd::import(
        &reg,
        &dir.join("warehouses.csv"),
        &dir.join("warehouses.rejects.csv"),
    )
    .await?;
    crate::outlet_cmd::import(
        &reg,
        &dir.join("outlets.csv"),
        &dir.join("outlets.rejects.csv"),
    )
    .await?;
    println!(
        "Karbala demo: {} households in {} with Karbala's 10 update centres",
        store.count_households().await?,
        db.display()
    );
    let server = hub_cmd::demo_registry(&mut reg, civil.clone(), &dir.join("persons.csv")).await?;
    let sandbox = crate::payments_cmd::demo_sandbox(&mut reg, listen).await?;
    println!("Fees are paid through the sandbox payment provider at {sandbox}");
    let _ = std::fs::remove_dir_all(&dir);
    let reg = Arc::new(reg);
    hub_cmd::demo_subscribe(&reg, server.clone()).await?;
    let citizen =
        access_cmd::demo_accounts(&reg, store.as_ref(), &db.with_extension("accounts.json"))
            .await?;
    if let Some(phone) = citizen {
        hub_cmd::demo_birth(&reg, store.as_ref(), &server, &phone).await?;
    }
    crate::cycle_cmd::demo_cycle(&reg).await?;
    // The demo's phones also receive the civil registry's codes: shown on the outbox page.
    let registry_sms: tamwin_web::RegistrySms = Arc::new(move || {
        let civil = civil.clone();
        Box::pin(async move { civil.civil_sms_recent(50).await.unwrap_or_default() })
    });
    let web = tamwin_web::Config {
        demo: true,
        metrics_token: None,
        registry_sms: Some(registry_sms),
    };
    serve(reg, listen, web, true).await
}

async fn serve(
    reg: Arc<Registry>,
    listen: &str,
    web: tamwin_web::Config,
    jobs: bool,
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    // All background work (docs/jobs.md); servers sharing a database share it through the leases.
    let runner = jobs.then(|| {
        let r = Arc::new(tamwin_app::jobs::Runner::standard(reg.clone()));
        (r.clone(), r.start())
    });
    println!(
        "Tamwin is serving on http://{}/ (API docs: http://{}/api/docs)",
        listener.local_addr()?,
        listener.local_addr()?
    );
    tamwin_web::serve_configured(listener, reg, web, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    if let Some((r, handle)) = runner {
        r.stop(handle).await;
    }
    Ok(())
}
