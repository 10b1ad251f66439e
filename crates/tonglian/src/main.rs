//! `tonglian`: the command line. Every subcommand opens the database (SQLite by default,
//! PostgreSQL with `--db postgres://…`), applies pending migrations, and does one job:
//! serve the site, load the demo, manage stations and accounts, import and export
//! spreadsheets, back up and restore.

mod config;

/// mimalloc: a statement or a ranking allocates and frees hundreds of thousands of small values
/// across threads, where it is measurably faster than the system allocator (see bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use config::Config;
use domain::import::ImportKind;
use domain::{Role, StationId, UserId};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use store::Store;

#[derive(Parser, Debug)]
#[command(
    name = "tonglian",
    version,
    about = "通联：通讯员网络、稿件、刊发与奖励 / a correspondent network for publicity work"
)]
struct Cli {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "TONGLIAN_DB")]
    db: Option<String>,
    /// A TOML config file (default: ./tonglian.toml if present).
    #[arg(long, global = true, env = "TONGLIAN_CONFIG")]
    config: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, global = true, env = "TONGLIAN_LOG_FORMAT")]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web site and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "TONGLIAN_LISTEN")]
        listen: Option<String>,
        /// Load the demo data set first if the database is empty, and print the demo accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo data set into an empty database.
    Demo,
    /// Apply pending database migrations.
    Migrate,
    /// Stations (通联站).
    Station {
        #[command(subcommand)]
        command: StationCommand,
    },
    /// API tokens for scripts, made without a browser session.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import a spreadsheet (.xlsx or .csv): all or nothing.
    Import {
        /// units, correspondents, outlets or placements.
        kind: String,
        file: PathBuf,
        /// The station's code; may be left out when the database holds one station.
        #[arg(long)]
        station: Option<String>,
    },
    /// Export to a spreadsheet; the format follows the file's extension (.xlsx or .csv).
    Export {
        kind: String,
        file: PathBuf,
        #[arg(long)]
        station: Option<String>,
    },
    /// Reward policies (奖励办法): check or load a TOML file.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Statements (奖励核算).
    Statement {
        #[command(subcommand)]
        command: StatementCommand,
    },
    /// Rank units, correspondents or outlets for a period (比学赶).
    Ranking {
        /// 2007-06, 2007-Q2 or 2007.
        #[arg(long)]
        period: String,
        /// unit, correspondent or outlet.
        #[arg(long, default_value = "unit")]
        by: String,
        /// The ledger to rank by, as keyed in the policy.
        #[arg(long, default_value = "points")]
        ledger: String,
        /// json (default) or xlsx.
        #[arg(long, default_value = "json")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        station: Option<String>,
    },
    /// Reports: the annual exchange report (年度经验交流材料).
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Reminders (提醒): store what is due and mail it when an SMTP server is configured.
    Reminders {
        #[command(subcommand)]
        command: RemindersCommand,
    },
    /// Make an online, consistent copy of a SQLite database.
    Backup { file: PathBuf },
    /// Replace the SQLite database with a backup (stop the server first).
    Restore { file: PathBuf },
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// Check a policy file and explain every error with its line. Needs no database.
    Check { file: PathBuf },
    /// Store a policy for a station (it must not overlap the station's other policies).
    Load {
        file: PathBuf,
        #[arg(long)]
        station: Option<String>,
    },
    /// List a station's policies.
    List {
        #[arg(long)]
        station: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum StatementCommand {
    /// Compute a period's statement from the current data (nothing is stored).
    Compute {
        /// 2007-06, 2007-Q2 or 2007.
        #[arg(long)]
        period: String,
        #[arg(long)]
        station: Option<String>,
        /// json (default), csv, xlsx or docx.
        #[arg(long, default_value = "json")]
        format: String,
        /// Where to write; JSON goes to standard output when left out.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check the money records: every notice matches its hash and has its audit row, every
    /// payment has its audit row and stays within what is owed, every month is owed once; and
    /// list the corrections still to carry. Exits with 1 when something is wrong.
    Verify {
        /// One station; all stations when left out.
        #[arg(long)]
        station: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum RemindersCommand {
    /// Run the reminders once, as the server does every ten minutes.
    Run {
        /// The day to judge by (default today), e.g. 2008-01-02.
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// The year's figures, tables and narrative, as the station reports them to the paper.
    Annual {
        #[arg(long)]
        year: i32,
        /// json (default), html or docx.
        #[arg(long, default_value = "json")]
        format: String,
        /// Where to write; JSON goes to standard output when left out.
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        station: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum StationCommand {
    /// Create a station.
    Add { code: String, name: String },
    /// List stations.
    List,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account. The password is read from TONGLIAN_PASSWORD or from standard input.
    Add {
        username: String,
        /// admin, editor, liaison, mentor, correspondent or leader.
        #[arg(long)]
        role: String,
        /// The station's code; left out for the only station. Use --hq for a headquarters account.
        #[arg(long)]
        station: Option<String>,
        /// A headquarters account, which sees every station.
        #[arg(long)]
        hq: bool,
        /// The name shown in the site.
        #[arg(long)]
        name: Option<String>,
        /// For correspondents and mentors: the correspondent (by name) the account writes as.
        #[arg(long)]
        correspondent: Option<String>,
        /// For unit liaisons: the unit (by name).
        #[arg(long)]
        unit: Option<String>,
    },
    /// List accounts.
    List,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Make an API token that acts as an account, and print it (the only time it is shown).
    /// Send it as `Authorization: Bearer TOKEN`.
    Create {
        /// The account the token acts as.
        #[arg(long)]
        user: String,
        /// What the token is for, shown in the audit log.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

/// Writes a report to `--out FILE`, or JSON to standard output; other formats need a file.
fn write_output(out: Option<&std::path::Path>, format: &str, bytes: &[u8]) -> Result<()> {
    match out {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("无法写入 {}", path.display()))?;
            eprintln!("已写入 {}", path.display());
        }
        None if format == "json" => {
            use std::io::Write;
            std::io::stdout().write_all(bytes)?;
            println!();
        }
        None => bail!("{format} 格式需要 --out FILE"),
    }
    Ok(())
}

fn main() -> Result<()> {
    store::tune_c_allocator();
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref(), cli.db.clone(), cli.log_format.clone())?;
    config::init_logging(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli, config))
}

async fn open(config: &Config) -> Result<Store> {
    tracing::info!(db = %store::redact_url(&config.db), "opening database");
    let store = Store::connect(&config.db)
        .await
        .with_context(|| format!("无法打开数据库 {}", store::redact_url(&config.db)))?;
    store.migrate().await.context("数据库迁移失败")?;
    Ok(store)
}

/// The station named by `--station`, or the only one.
async fn pick_station(store: &Store, code: Option<&str>) -> Result<StationId> {
    match code {
        Some(code) => Ok(store.station_by_code(code).await?.with_context(|| format!("站点 {code} 不存在"))?.id),
        None => {
            let stations = store.stations().await?;
            match stations.as_slice() {
                [only] => Ok(only.id),
                [] => bail!("还没有通联站：请先运行 tonglian station add CODE NAME"),
                [first, ..] => {
                    // A headquarters database holds many stations; the first one created is
                    // the default, and the user is told which one was used.
                    eprintln!("使用通联站 {}（{}）；其他通联站请用 --station CODE 指定", first.code, first.name);
                    Ok(first.id)
                }
            }
        }
    }
}

async fn run(cli: Cli, config: Config) -> Result<()> {
    match cli.command {
        Command::Serve { listen, demo } => {
            let store = open(&config).await?;
            if demo {
                load_demo(&store).await?;
            }
            let listen = listen.unwrap_or_else(|| config.listen.clone());
            serve(store, &config, &listen).await
        }
        Command::Demo => {
            let store = open(&config).await?;
            load_demo(&store).await
        }
        Command::Migrate => {
            open(&config).await?;
            println!("数据库已是最新 / migrations applied");
            Ok(())
        }
        Command::Station { command } => {
            let store = open(&config).await?;
            match command {
                StationCommand::Add { code, name } => {
                    let s = store.create_station(&code, &name).await.map_err(explain)?;
                    println!("已创建通联站 {} {}", s.code, s.name);
                }
                StationCommand::List => {
                    for s in store.stations().await? {
                        println!("{}\t{}", s.code, s.name);
                    }
                }
            }
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { user, name } } => {
            let store = open(&config).await?;
            let user = store.user_by_username(&user).await?.with_context(|| format!("账号 {user} 不存在"))?;
            if !user.active {
                bail!("账号 {} 已停用", user.username);
            }
            let token = app::tokens::create_token(&store, &app::Actor::new(user), &name).await.map_err(explain_app)?;
            println!("{token}");
            Ok(())
        }
        Command::User { command } => {
            let store = open(&config).await?;
            match command {
                UserCommand::Add { username, role, station, hq, name, correspondent, unit } => {
                    let role = Role::parse(&role).with_context(Role::expected)?;
                    let station = if hq { None } else { Some(pick_station(&store, station.as_deref()).await?) };
                    let password = read_password()?;
                    app::password::check_new_password(&password).map_err(|m| anyhow::anyhow!(m))?;
                    let correspondent_id = match (correspondent, station) {
                        (Some(c), Some(s)) => Some(
                            store.correspondent_by_name(s, &c).await?.with_context(|| format!("通讯员 {c} 不存在"))?.id,
                        ),
                        _ => None,
                    };
                    let unit_id = match (unit, station) {
                        (Some(u), Some(s)) => {
                            Some(store.unit_by_name(s, &u).await?.with_context(|| format!("单位 {u} 不存在"))?.id)
                        }
                        _ => None,
                    };
                    let user = store
                        .create_user(
                            store::NewUser {
                                station_id: station,
                                username: username.clone(),
                                password_hash: app::password::hash_password(&password)?,
                                display_name: name.unwrap_or_else(|| username.clone()),
                                role,
                                correspondent_id,
                                unit_id,
                            },
                            None,
                        )
                        .await
                        .map_err(explain)?;
                    println!("已创建账号 {}（{}）", user.username, user.role.zh());
                }
                UserCommand::List => {
                    for u in store.users(store::Scope::All).await? {
                        println!(
                            "{}\t{}\t{}\t{}",
                            u.username,
                            u.display_name,
                            u.role.code(),
                            if u.active { "active" } else { "inactive" }
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Import { kind, file, station } => {
            let kind = ImportKind::parse(&kind).context("数据类型应为 units、correspondents、outlets 或 placements")?;
            let store = open(&config).await?;
            let station = pick_station(&store, station.as_deref()).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let started = std::time::Instant::now();
            // Imports from the command line are made by no user; the audit log says so.
            match app::ops::import_into(&store, station, None, kind, &name, &bytes).await {
                Ok(report) => {
                    let summary = &report.summary;
                    println!("导入成功：{summary}（{:.2} 秒）", started.elapsed().as_secs_f64());
                    Ok(())
                }
                Err(app::Error::Rows { listed, total }) => {
                    eprintln!("导入失败，未写入任何数据。共 {total} 处错误：");
                    for r in &listed {
                        eprintln!("  {r}");
                    }
                    if listed.len() < total {
                        eprintln!("  ……（只列出前 {} 处）", listed.len());
                    }
                    std::process::exit(1);
                }
                Err(e) => bail!("导入失败，未写入任何数据：{}", e.message()),
            }
        }
        Command::Export { kind, file, station } => {
            let kind = ImportKind::parse(&kind).context("数据类型应为 units、correspondents、outlets 或 placements")?;
            let ext = file.extension().map(|e| e.to_string_lossy().to_string()).unwrap_or_default();
            let format = app::ops::FileFormat::parse(&ext).context("文件扩展名应为 .xlsx 或 .csv")?;
            let store = open(&config).await?;
            let station = pick_station(&store, station.as_deref()).await?;
            let table = app::ops::export_table(&store, station, kind, None).await.map_err(explain_app)?;
            let rows = table.rows.len();
            let bytes = app::ops::encode_table(kind, &table, format).map_err(explain_app)?;
            std::fs::write(&file, bytes).with_context(|| format!("无法写入 {}", file.display()))?;
            println!("已导出 {rows} 条{}到 {}", kind.zh(), file.display());
            Ok(())
        }
        Command::Policy { command: PolicyCommand::Check { file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            match app::rewards::check_policy(&text) {
                Ok(p) => {
                    let to = p.valid_to.map(domain::format_date).unwrap_or_else(|| "长期".into());
                    println!(
                        "“{}”格式正确：{} 至 {}，{} 个账目",
                        p.name,
                        domain::format_date(p.valid_from),
                        to,
                        p.ledgers.len()
                    );
                    Ok(())
                }
                Err(errors) => {
                    eprintln!("{} 有 {} 处错误：", file.display(), errors.len());
                    for e in &errors {
                        eprintln!("  {e}");
                    }
                    std::process::exit(1);
                }
            }
        }
        Command::Policy { command: PolicyCommand::Load { file, station } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let store = open(&config).await?;
            let station = pick_station(&store, station.as_deref()).await?;
            match app::rewards::load_policy(&store, station, UserId(0), &text).await {
                Ok(p) => {
                    println!("已载入奖励办法“{}”", p.name);
                    Ok(())
                }
                Err(app::Error::Invalid(fields)) => {
                    for e in &fields.0 {
                        eprintln!("  {}", e.message);
                    }
                    std::process::exit(1);
                }
                Err(e) => bail!("{}", e.message()),
            }
        }
        Command::Policy { command: PolicyCommand::List { station } } => {
            let store = open(&config).await?;
            let station = pick_station(&store, station.as_deref()).await?;
            for p in store.policies(station).await? {
                let to = p.valid_to.map(domain::format_date).unwrap_or_else(|| "长期".into());
                println!("{}\t{} 至 {}", p.name, domain::format_date(p.valid_from), to);
            }
            Ok(())
        }
        Command::Statement { command: StatementCommand::Compute { period, station, format, out } } => {
            let period = domain::policy::Period::parse(&period).map_err(|m| anyhow::anyhow!(m))?;
            let store = open(&config).await?;
            let station_id = pick_station(&store, station.as_deref()).await?;
            let statement = app::rewards::compute(&store, station_id, &period).await.map_err(explain_app)?;
            let bytes = match format.as_str() {
                "json" => serde_json::to_vec_pretty(&statement)?,
                "csv" => office::write_csv(&app::rewards::statement_table(&statement)),
                "xlsx" => office::write_xlsx("奖励核算", &app::rewards::statement_table(&statement))
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                "docx" => {
                    let station = store.station(station_id).await?;
                    let (text, hash) = app::rewards::snapshot(&statement).map_err(explain_app)?;
                    let record = store::StatementRecord {
                        id: domain::StatementId(0),
                        station_id,
                        period: period.to_string(),
                        status: domain::StatementStatus::Draft,
                        snapshot: text,
                        content_hash: hash,
                        computed_at: store::now(),
                        published_at: None,
                        objection_until: None,
                        confirmed_at: None,
                        confirm_reason: String::new(),
                        paid_at: None,
                    };
                    office::notice_docx(&app::rewards::notice_doc(&statement, &station.name, &record))
                        .map_err(|e| anyhow::anyhow!("{e}"))?
                }
                other => bail!("不支持的格式 {other}：应为 json、csv、xlsx 或 docx"),
            };
            write_output(out.as_deref(), &format, &bytes)
        }
        Command::Statement { command: StatementCommand::Verify { station } } => {
            let store = open(&config).await?;
            let stations = match station.as_deref() {
                Some(code) => vec![store.station_by_code(code).await?.with_context(|| format!("站点 {code} 不存在"))?],
                None => store.stations().await?,
            };
            let mut wrong = 0;
            for st in stations {
                let problems = store.verify_money(Some(st.id)).await?;
                wrong += problems.len();
                for p in &problems {
                    println!("{}\t问题\t{p}", st.code);
                }
                let outstanding = match app::rewards::outstanding_corrections(&store, st.id).await {
                    Ok(list) => list,
                    Err(e) => {
                        println!("{}\t说明\t无法计算待结转的更正：{}", st.code, e.message());
                        Vec::new()
                    }
                };
                for c in &outstanding {
                    println!(
                        "{}\t待结转\t{} 通讯员{} {} {}{}.{:02}",
                        st.code,
                        c.from_period,
                        c.correspondent_id,
                        c.ledger,
                        if c.amount_cents < 0 { "-" } else { "" },
                        c.amount_cents.unsigned_abs() / 100,
                        c.amount_cents.unsigned_abs() % 100
                    );
                }
                println!("{}\t检查完毕：问题 {} 处，待结转更正 {} 条", st.code, problems.len(), outstanding.len());
            }
            if wrong > 0 {
                bail!("发现 {wrong} 处问题");
            }
            Ok(())
        }
        Command::Ranking { period, by, ledger, format, out, station } => {
            let period = domain::policy::Period::parse(&period).map_err(|m| anyhow::anyhow!(m))?;
            let by = domain::ranking::RankBy::parse(&by).context("--by 应为 unit、correspondent 或 outlet")?;
            let store = open(&config).await?;
            let station = pick_station(&store, station.as_deref()).await?;
            let ranking = app::rewards::ranking(&store, station, &period, by, &ledger).await.map_err(explain_app)?;
            let bytes = match format.as_str() {
                "json" => serde_json::to_vec_pretty(&ranking)?,
                "xlsx" => office::write_xlsx("排名", &app::rewards::ranking_table(&ranking))
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                other => bail!("不支持的格式 {other}：应为 json 或 xlsx"),
            };
            write_output(out.as_deref(), &format, &bytes)
        }
        Command::Report { command: ReportCommand::Annual { year, format, out, station } } => {
            let store = open(&config).await?;
            let station = pick_station(&store, station.as_deref()).await?;
            let report = app::annual::build(&store, station, year).await.map_err(explain_app)?;
            let bytes = match format.as_str() {
                "json" => serde_json::to_vec_pretty(&report)?,
                "html" => app::annual::to_html(&report).map_err(explain_app)?.into_bytes(),
                "docx" => app::annual::to_docx(&report).map_err(explain_app)?,
                other => bail!("不支持的格式 {other}：应为 json、html 或 docx"),
            };
            write_output(out.as_deref(), &format, &bytes)
        }
        Command::Reminders { command: RemindersCommand::Run { date } } => {
            let store = open(&config).await?;
            let today = match date {
                Some(d) => domain::parse_date(&d).with_context(|| format!("日期无效：{d}"))?,
                None => app::today(),
            };
            let mailer = mailer(&config)?;
            let report = app::reminders::run(&store, mailer.as_ref(), today).await.map_err(explain_app)?;
            println!("新提醒 {} 条；发出邮件 {} 封，失败 {} 封", report.created, report.emailed, report.email_failures);
            Ok(())
        }
        Command::Backup { file } => {
            let store = open(&config).await?;
            store.backup_sqlite(&file).await.map_err(explain)?;
            println!("已备份到 {}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            let target =
                config.sqlite_path().context("restore 只适用于 SQLite；PostgreSQL 请用 pg_restore（见 README）")?;
            store::restore_sqlite(&file, &target).await.map_err(explain)?;
            println!("已从 {} 恢复到 {}", file.display(), target.display());
            Ok(())
        }
    }
}

/// The reminder mailer, when an SMTP server is configured.
fn mailer(config: &Config) -> Result<Option<app::reminders::Mailer>> {
    match &config.smtp_url {
        Some(url) => Ok(Some(app::reminders::Mailer::new(url, &config.smtp_from).map_err(|m| anyhow::anyhow!(m))?)),
        None => Ok(None),
    }
}

/// Store errors carry Chinese messages for the user; say them plainly.
fn explain(e: store::StoreError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// A use case's error as the user reads it.
fn explain_app(e: app::Error) -> anyhow::Error {
    anyhow::anyhow!(e.message())
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("TONGLIAN_PASSWORD") {
        return Ok(p);
    }
    eprintln!("请输入密码（至少8位，含字母和数字），回车结束：");
    let mut line = String::new();
    std::io::stdin().take(1024).read_to_string(&mut line)?;
    Ok(line.lines().next().unwrap_or("").to_string())
}

async fn load_demo(store: &Store) -> Result<()> {
    if app::demo::is_empty(store).await? {
        app::demo::load(store).await?;
        println!("已装入演示数据：湖北通联站（2007年），以及报社总部所见的另外四个通联站。");
    } else {
        println!("数据库已有数据，未重复装入演示数据。");
    }
    println!("演示账号（密码均为 {}）：", app::demo::DEMO_PASSWORD);
    for (user, name, role) in app::demo::DEMO_ACCOUNTS {
        println!("  {user:<16} {}  {name}", role.zh());
    }
    let (user, name, _) = app::demo::DEMO_HQ_ACCOUNT;
    println!("  {user:<16} 报社总部  {name}（可查看所有通联站）");
    Ok(())
}

async fn serve(store: Store, config: &Config, listen: &str) -> Result<()> {
    let addr: SocketAddr = listen.parse().with_context(|| format!("监听地址无效：{listen}"))?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("无法监听 {addr}"))?;
    let local = listener.local_addr()?;
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{local}"));
    let state = web::AppState::with_metrics(
        store.clone(),
        web::WebConfig {
            secure_cookies: config.secure_cookies,
            public_url,
            paper: config.paper.clone(),
            metrics_token: config.metrics_token.clone(),
            ..Default::default()
        },
        web::metrics_handle(),
    );
    if let Some(metrics_listen) = &config.metrics_listen {
        serve_metrics(metrics_listen, state.metrics.clone()).await?;
    }
    // The recorder gathers histogram samples until they are folded into the buckets; without
    // this the samples pile up between two reads of /metrics (bench/portal: +190 MB).
    if let Some(handle) = state.metrics.clone() {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                tick.tick().await;
                handle.run_upkeep();
            }
        });
    }
    let site = web::site(state);
    tracing::info!(%local, db = store.backend_name(), "serving");
    println!("通联已启动：http://{local}/");

    // Reminders every ten minutes (stored once per occasion; mailed when SMTP is set).
    let reminders_store = store.clone();
    let reminders_mailer = mailer(config)?;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            match app::reminders::run(&reminders_store, reminders_mailer.as_ref(), app::today()).await {
                Ok(r) if r.created + r.emailed + r.email_failures > 0 => {
                    tracing::info!(created = r.created, emailed = r.emailed, failed = r.email_failures, "reminders")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e.message(), "reminders failed"),
            }
        }
    });

    // Expired sessions and old login failures are swept every ten minutes.
    let sweeper = store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = sweeper.purge_expired_sessions().await {
                tracing::warn!(error = %e, "session sweep failed");
            }
        }
    });

    // One `Site` per connection, knowing the client's address (for `ConnectInfo`).
    let make = tower::service_fn(move |conn: axum::serve::IncomingStream<'_, tokio::net::TcpListener>| {
        let site = site.for_peer(*conn.remote_addr());
        async move { Ok::<_, std::convert::Infallible>(site) }
    });
    axum::serve(listener, make).with_graceful_shutdown(shutdown_signal()).await?;
    tracing::info!("stopped");
    store.close().await?;
    Ok(())
}

/// `/metrics` alone on its own address, without a token: for a scraper on a private network.
async fn serve_metrics(listen: &str, handle: Option<web::PrometheusHandle>) -> Result<()> {
    let addr: SocketAddr = listen.parse().with_context(|| format!("指标监听地址无效：{listen}"))?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("无法监听 {addr}"))?;
    let local = listener.local_addr()?;
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(move || std::future::ready(web::render_metrics(handle.as_ref()))));
    tracing::info!(%local, "serving /metrics");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
