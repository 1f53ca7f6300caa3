//! The `tamwin` command: the command tree is in `cli`, what the commands share in `wiring`, and each
//! command's work in its `*_cmd` module.

mod access_cmd;
mod audit_cmd;
mod bench_cmd;
mod bench_fictitious;
mod bench_redeem;
mod centre_cmd;
mod cli;
mod cli_bench;
mod cycle_cmd;
mod data_cmd;
mod hub_cmd;
mod hub_http;
mod list_cmd;
mod logging;
mod outlet_cmd;
mod owner_only;
mod payments_cmd;
mod screen_cmd;
mod screen_files;
mod serve_cmd;
mod sms_http;
mod warehouse_cmd;
mod wiring;

use clap::Parser;
use cli::{BenchCommand, Cli, Command, DeviceCommand, TokenCommand};
use wiring::{Settings, count_members, registry};

/// mimalloc rather than glibc's malloc: under a rush of bookings glibc's allocator took a seventh of
/// the server's CPU (bench/README.md, "Appointment booking under load").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() {
    let cli = Cli::parse();
    logging::init(cli.log_format);
    // Before any background work starts, so that its first runs are counted too.
    tamwin_web::install_metrics();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tamwin: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(run(cli)) {
        eprintln!("tamwin: {e}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let rules = Settings {
        database_url: cli.database_url.clone(),
        abroad_after_days: cli.abroad_after_days,
        temporary_card_months: cli.temporary_card_months,
        screening_grace_days: cli.screening_grace_days,
    };
    match cli.command {
        Command::Serve {
            listen,
            hub,
            form_key,
            sms,
            payments,
            metrics_token,
            jobs,
        } => {
            serve_cmd::serve_command(
                &rules,
                &listen,
                &hub,
                &form_key,
                &sms,
                &payments,
                metrics_token,
                jobs,
            )
            .await
        }
        Command::Demo {
            households,
            listen,
            db,
            seed,
            clock_start,
        } => serve_cmd::demo(&rules, households, &listen, &db, seed, clock_start).await,
        Command::Hub { command } => hub_cmd::run(&rules, command).await,
        Command::Device { command } => {
            let reg = registry(&rules).await?;
            match command {
                DeviceCommand::Add {
                    name,
                    role,
                    area,
                    public_key,
                } => access_cmd::device_add(&reg, &name, &role, &area, &public_key).await,
                DeviceCommand::List => access_cmd::device_list(&reg).await,
                DeviceCommand::Revoke { device_id } => {
                    access_cmd::device_revoke(&reg, &device_id).await
                }
            }
        }
        Command::Centre { command } => centre_cmd::run(&rules, command).await,
        Command::Programme { command } => cycle_cmd::programme(&rules, command).await,
        Command::Cycle { command } => cycle_cmd::cycle(&rules, command).await,
        Command::List { command } => list_cmd::run(&rules, command).await,
        Command::Declarations { command } => list_cmd::declarations(&rules, command).await,
        Command::Warehouse { command } => warehouse_cmd::run(&rules, command).await,
        Command::Outlet { command } => outlet_cmd::run(&rules, command).await,
        Command::Bench {
            command:
                BenchCommand::Booking {
                    url,
                    token,
                    households,
                    clients,
                    governorate,
                },
        } => {
            let (reg, store) = wiring::registry_and_store(&rules).await?;
            bench_cmd::booking(
                &reg,
                store.as_ref(),
                &url,
                &token,
                households,
                clients,
                &governorate,
            )
            .await
        }
        Command::Bench {
            command:
                BenchCommand::Redeem {
                    url,
                    devices,
                    seconds,
                    governorate,
                    form_key,
                    acks,
                },
        } => {
            let mut w = wiring::wire(&rules.database_url, &rules).await?;
            w.reg.set_forms(std::sync::Arc::new(wiring::form_keys(
                &form_key,
                jiff::Timestamp::now(),
            )?));
            let reg = std::sync::Arc::new(w.reg);
            bench_redeem::redeem(
                &reg,
                w.store.as_ref(),
                &url,
                devices,
                seconds,
                &governorate,
                acks.as_deref(),
            )
            .await
        }
        Command::Bench {
            command: BenchCommand::RedeemCheck { acks, governorate },
        } => {
            let (reg, store) = wiring::registry_and_store(&rules).await?;
            bench_redeem::check(&reg, store.as_ref(), &governorate, &acks).await
        }
        Command::Bench {
            command: BenchCommand::Fictitious { dir },
        } => {
            let civil = wiring::migrated_civil_store(&rules).await?;
            bench_fictitious::fictitious_kind(civil, &dir).await
        }
        Command::Token { command } => {
            let reg = registry(&rules).await?;
            match command {
                TokenCommand::Create {
                    name,
                    role,
                    area,
                    days,
                } => access_cmd::token_create(&reg, &name, &role, &area, days).await,
                TokenCommand::List => access_cmd::token_list(&reg).await,
                TokenCommand::Revoke { token_id } => {
                    access_cmd::token_revoke(&reg, &token_id).await
                }
            }
        }
        Command::User { command } => access_cmd::user(&rules, command).await,
        Command::Audit { command } => audit_cmd::run(&rules, command).await,
        Command::Migrate => {
            let store = tamwin_store::connect(&cli.database_url).await?;
            let n = store.migrate().await?;
            println!("{n} migration(s) applied");
            Ok(())
        }
        Command::Generate {
            households,
            seed,
            governorate,
            no_id_share,
            screening,
            tier,
            out,
        } => data_cmd::generate_command(
            households,
            seed,
            governorate,
            no_id_share,
            screening,
            &tier,
            &out,
        ),
        Command::Screen(args) => screen_cmd::run(args),
        Command::Import { dir, rejects } => {
            let reg = registry(&rules).await?;
            let rejects = rejects.unwrap_or_else(|| dir.join("rejects.csv"));
            data_cmd::import(&reg, &dir, &rejects, count_members(&dir)).await
        }
    }
}
