//! `facegate-bench`: facegate against the physical limit, in one run on one machine.
//!
//! The reference: a bare axum endpoint answering from memory, and a bare reqwest call to the
//! loopback vendor double (the sandbox's create, the very call facegate makes per session).
//! Then facegate itself (the release binaries, as separate processes): session creation (vendor
//! call + store write + encryption) and notify-to-final, on SQLite and on PostgreSQL with 1, 2
//! and 3 replicas; the server's memory with 100,000 stored and 5,000 pending sessions; the wasm
//! helper's size. Everything lands in BENCHMARKS.md. See scripts/bench.sh.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use url::Url;

mod cpu;
mod db;
mod durable;
mod load;
mod procs;
mod reference;
mod report;

use load::{Request, Stats};
use procs::{Process, API_KEY, MERCHANT};

#[derive(Parser)]
#[command(name = "facegate-bench", about = "facegate against the physical limit")]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    /// A second or two of everything on SQLite only: proves the tool works, measures nothing.
    #[arg(long)]
    smoke: bool,
    /// Where the report goes (default BENCHMARKS.md; with --smoke, a temporary file).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seconds per measurement (closed loop, then open loop).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// The fixed offered load of the latency runs, creations per second.
    #[arg(long, default_value_t = 1000)]
    rate: u32,
    /// Clients of the closed-loop (throughput) runs.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// PostgreSQL admin URL (default: FACEGATE_TEST_DATABASE_URL, else 127.0.0.1:5432 trust).
    #[arg(long)]
    postgres: Option<String>,
    /// Sessions stored for the memory figure.
    #[arg(long, default_value_t = 100_000)]
    stored: u32,
    /// Of which pending.
    #[arg(long, default_value_t = 5_000)]
    pending: u32,
    /// Sessions per notify-to-final run.
    #[arg(long, default_value_t = 2_000)]
    notify_sessions: u32,
    /// The output of scripts/bench-wasm-size.sh, if it ran.
    #[arg(long)]
    wasm_size_file: Option<PathBuf>,
    /// Hand-written notes on what bounds the figures, included in the report.
    #[arg(long, default_value = "crates/facegate-bench/analysis.md")]
    analysis: PathBuf,
    /// The command to show in the report (scripts/bench.sh passes its own).
    #[arg(long, default_value = "scripts/bench.sh")]
    command_line: String,
    /// Session creation only (the references and facegate): no notify-to-final, no memory run.
    /// For A/B comparisons; the report says which parts ran.
    #[arg(long)]
    creation_only: bool,
    /// The facegate binary to measure (default: `facegate` beside this one), e.g. an older
    /// build for an A/B comparison.
    #[arg(long)]
    facegate_binary: Option<PathBuf>,
    /// Pin replica i of n to core i mod cores with `taskset` (when there are several replicas
    /// and taskset is installed).
    #[arg(long)]
    pin: bool,
    /// A shell command run beside each facegate closed loop (e.g. `perf record -g -p {pid} -o
    /// /tmp/{name}.data -- sleep 4`): `{pid}` is the first replica's process id, `{name}` the
    /// configuration's name as a file name. The bench waits for it after the loop.
    #[arg(long)]
    during_closed_loop: Option<String>,
}

#[derive(Subcommand)]
enum Sub {
    /// The bare reference server (started by the bench itself).
    #[command(hide = true)]
    ReferenceServer {
        #[arg(long)]
        addr: std::net::SocketAddr,
    },
    /// The bare durable reference server (started by the bench itself).
    #[command(hide = true)]
    DurableServer {
        #[arg(long)]
        addr: std::net::SocketAddr,
        #[arg(long)]
        database: String,
        #[arg(long)]
        sandbox: Url,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Some(Sub::ReferenceServer { addr }) => runtime.block_on(reference::serve(addr)),
        Some(Sub::DurableServer {
            addr,
            database,
            sandbox,
        }) => runtime.block_on(durable::serve(addr, &database, &sandbox)),
        None => runtime.block_on(run(cli)),
    }
}

/// What a creation row measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The bare axum endpoint or the bare vendor call.
    Bare,
    /// The bare durable reference on this store.
    Durable(Store),
    /// facegate on this store.
    Facegate(Store),
}

/// The two stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// One configuration's creation figures.
pub struct Creation {
    pub name: String,
    pub kind: Kind,
    pub throughput: Stats,
    pub latency: Stats,
    /// CPU of the server processes (all replicas) per creation, closed loop, microseconds.
    pub cpu: Option<cpu::PerRequest>,
    /// The same at the fixed rate.
    pub cpu_at_rate: Option<cpu::PerRequest>,
}

/// One configuration's notify-to-final figures.
pub struct Notify {
    pub name: String,
    pub sessions: u32,
    pub elapsed: Duration,
}

/// The memory figures of one store.
pub struct Memory {
    pub name: String,
    pub stored: i64,
    pub pending: i64,
    pub seed_seconds: f64,
    pub idle_kib: (u64, u64),
    pub loaded_kib: (u64, u64),
}

pub struct Settings {
    pub seconds: u64,
    pub rate: u32,
    pub concurrency: usize,
    pub smoke: bool,
    pub creation_only: bool,
    pub pinned: bool,
    pub during_closed_loop: Option<String>,
}

async fn run(mut cli: Cli) -> anyhow::Result<()> {
    if cli.smoke {
        cli.seconds = 1;
        cli.rate = cli.rate.min(200);
        cli.stored = 2_000;
        cli.pending = 100;
        cli.notify_sessions = 100;
        cli.concurrency = cli.concurrency.min(8);
    }
    let out = cli.out.clone().unwrap_or_else(|| {
        if cli.smoke {
            std::env::temp_dir().join(format!("facegate-bench-smoke-{}.md", std::process::id()))
        } else {
            PathBuf::from("BENCHMARKS.md")
        }
    });
    let settings = Settings {
        seconds: cli.seconds,
        rate: cli.rate,
        concurrency: cli.concurrency,
        smoke: cli.smoke,
        creation_only: cli.creation_only,
        pinned: cli.pin && procs::taskset().is_some(),
        during_closed_loop: cli.during_closed_loop.clone(),
    };
    // Absolute: each replica runs in its own directory.
    let facegate_binary = match &cli.facegate_binary {
        Some(path) => std::fs::canonicalize(path)
            .with_context(|| format!("the facegate binary {}", path.display()))?,
        None => procs::sibling("facegate")?,
    };
    let dir = std::env::temp_dir().join(format!("facegate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let started = Instant::now();
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1024)
        .build()?;

    let sandbox = procs::sandbox(&dir).await?;
    let reference = procs::reference(&dir).await?;
    let mut creations = Vec::new();
    let mut notifies = Vec::new();
    let mut memory = Vec::new();

    say("reference: bare axum endpoint");
    creations.push(
        measure(
            "bare axum endpoint (from memory)",
            Kind::Bare,
            create_request(&http, vec![reference.base.clone()], "ref"),
            &[reference.pid()],
            &settings,
        )
        .await,
    );
    say("reference: bare reqwest call to the vendor double");
    creations.push(
        measure(
            "bare reqwest call to the vendor double",
            Kind::Bare,
            vendor_request(&http, &sandbox.base),
            &[sandbox.pid()],
            &settings,
        )
        .await,
    );
    drop(reference);

    // SQLite, one replica: the bare durable reference, then facegate, back to back.
    {
        let database = db::Database::sqlite(&dir, "durable-sqlite").await?;
        let durable = procs::durable(&dir, "durable-sqlite", database.url(), &sandbox.base).await?;
        let name = "bare durable reference, SQLite";
        say(name);
        creations.push(
            measure(
                name,
                Kind::Durable(Store::Sqlite),
                create_request(&http, vec![durable.base.clone()], "dsq"),
                &[durable.pid()],
                &settings,
            )
            .await,
        );
        durable.stop();
    }
    {
        let database = db::Database::sqlite(&dir, "sqlite").await?;
        let replica = procs::facegate(
            &dir,
            &facegate_binary,
            "sqlite-r1",
            database.url(),
            &sandbox.base,
            None,
            false,
        )
        .await?;
        let name = "facegate, SQLite, 1 replica";
        say(name);
        let bases = vec![replica.base.clone()];
        creations.push(
            measure(
                name,
                Kind::Facegate(Store::Sqlite),
                create_request(&http, bases.clone(), "sq"),
                &[replica.pid()],
                &settings,
            )
            .await,
        );
        if !settings.creation_only {
            notifies.push(
                notify_to_final(&http, name, &bases, &database, cli.notify_sessions, "sqn").await?,
            );
        }
        replica.stop();
    }
    {
        let database = db::Database::sqlite(&dir, "sqlite-limits").await?;
        let replica = procs::facegate(
            &dir,
            &facegate_binary,
            "sqlite-limits",
            database.url(),
            &sandbox.base,
            None,
            true,
        )
        .await?;
        let name = "facegate, SQLite, 1 replica, limits on and an Idempotency-Key";
        say(name);
        let request = keyed(create_request(&http, vec![replica.base.clone()], "sql"));
        creations.push(
            measure(
                name,
                Kind::Facegate(Store::Sqlite),
                request,
                &[replica.pid()],
                &settings,
            )
            .await,
        );
        replica.stop();
    }
    let postgres = if cli.smoke && cli.postgres.is_none() {
        None
    } else {
        db::find_postgres(cli.postgres.as_deref()).await
    };
    let mut postgres_version = None;
    if let Some(admin) = &postgres {
        {
            let database = db::Database::postgres(admin, "facegate_bench_durable").await?;
            postgres_version.get_or_insert(database.version().await);
            let durable =
                procs::durable(&dir, "durable-postgres", database.url(), &sandbox.base).await?;
            let name = "bare durable reference, PostgreSQL";
            say(name);
            creations.push(
                measure(
                    name,
                    Kind::Durable(Store::Postgres),
                    create_request(&http, vec![durable.base.clone()], "dpg"),
                    &[durable.pid()],
                    &settings,
                )
                .await,
            );
            durable.stop();
            database.drop_it().await;
        }
        let cores = procs::cores();
        for count in 1..=3usize {
            let database =
                db::Database::postgres(admin, &format!("facegate_bench_{count}")).await?;
            let mut replicas = Vec::new();
            for index in 0..count {
                let name = format!("pg{count}-r{}", index + 1);
                // Replica i on core i mod cores, when asked and there are several.
                let core = (settings.pinned && count > 1).then_some(index % cores);
                replicas.push(
                    procs::facegate(
                        &dir,
                        &facegate_binary,
                        &name,
                        database.url(),
                        &sandbox.base,
                        core,
                        false,
                    )
                    .await?,
                );
            }
            let name = format!(
                "facegate, PostgreSQL, {count} replica{}{}",
                if count == 1 { "" } else { "s" },
                if settings.pinned && count > 1 {
                    ", pinned"
                } else {
                    ""
                }
            );
            say(&name);
            let bases: Vec<Url> = replicas.iter().map(|r| r.base.clone()).collect();
            let pids: Vec<u32> = replicas.iter().map(Process::pid).collect();
            let prefix = format!("pg{count}");
            creations.push(
                measure(
                    &name,
                    Kind::Facegate(Store::Postgres),
                    create_request(&http, bases.clone(), &prefix),
                    &pids,
                    &settings,
                )
                .await,
            );
            if !settings.creation_only {
                notifies.push(
                    notify_to_final(
                        &http,
                        &name,
                        &bases,
                        &database,
                        cli.notify_sessions,
                        &format!("{prefix}n"),
                    )
                    .await?,
                );
            }
            for replica in replicas {
                replica.stop();
            }
            database.drop_it().await;
        }
    } else {
        say("no PostgreSQL answers: PostgreSQL runs skipped");
    }
    // Memory with many stored and some pending sessions.
    if !settings.creation_only {
        let database = db::Database::sqlite(&dir, "memory").await?;
        memory.push(
            memory_run(
                &http,
                &dir,
                "SQLite",
                &database,
                &sandbox,
                &facegate_binary,
                &settings,
                cli.stored,
                cli.pending,
            )
            .await?,
        );
    }
    if let Some(admin) = postgres.as_ref().filter(|_| !settings.creation_only) {
        let database = db::Database::postgres(admin, "facegate_bench_memory").await?;
        memory.push(
            memory_run(
                &http,
                &dir,
                "PostgreSQL",
                &database,
                &sandbox,
                &facegate_binary,
                &settings,
                cli.stored,
                cli.pending,
            )
            .await?,
        );
        database.drop_it().await;
    }
    drop(sandbox);

    let wasm = cli
        .wasm_size_file
        .as_ref()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .filter(|text| text.contains("facegate_bg.wasm"));
    let analysis = std::fs::read_to_string(&cli.analysis).ok();
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let text = report::render(&report::Report {
        settings: &settings,
        command_line: &cli.command_line,
        creations: &creations,
        notifies: &notifies,
        memory: &memory,
        postgres_version: postgres_version.as_deref(),
        wasm: wasm.as_deref(),
        analysis: analysis.as_deref(),
        load_before: load_before.trim(),
        load_after: load_after.trim(),
        duration: started.elapsed(),
    });
    std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
    say(&format!(
        "wrote {} in {:.0} s",
        out.display(),
        started.elapsed().as_secs_f64()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn say(what: &str) {
    eprintln!("[bench] {what}");
}

/// The create body facegate gets (and the reference, for the same bytes on the wire).
fn create_body(reference: &str) -> Value {
    json!({
        "provider": "sandbox",
        "reference": reference,
        "subject": {"name": "张三", "id_number": "110101199003074514"},
        "return_url": format!("{MERCHANT}/done"),
    })
}

/// The same requests as `request`, each with an Idempotency-Key of its own (a first create:
/// the key is checked, never repeated).
fn keyed(request: Request) -> Request {
    Arc::new(move |n| request(n | KEYED))
}

/// Set in a request's sequence number by [`keyed`]: send an Idempotency-Key.
const KEYED: u64 = 1 << 62;

/// `POST /v1/verifications`, round-robin over `bases`; answered 200 with a session.
fn create_request(http: &reqwest::Client, bases: Vec<Url>, prefix: &str) -> Request {
    let http = http.clone();
    let prefix = prefix.to_owned();
    let bases = Arc::new(bases);
    Arc::new(move |n| {
        let http = http.clone();
        let with_key = n & KEYED != 0;
        let n = n & !KEYED;
        let base = bases[n as usize % bases.len()].clone();
        let body = create_body(&format!("{prefix}-{n}"));
        Box::pin(async move {
            let mut request = http
                .post(base.join("v1/verifications").unwrap_or(base))
                .bearer_auth(API_KEY);
            if with_key {
                request = request.header("Idempotency-Key", format!("bench-{n}"));
            }
            match request.json(&body).send().await {
                Ok(answer) => answer.status().is_success() && answer.bytes().await.is_ok(),
                Err(_) => false,
            }
        })
    })
}

/// The vendor call facegate makes per creation, straight to the sandbox.
fn vendor_request(http: &reqwest::Client, sandbox: &Url) -> Request {
    let http = http.clone();
    let url = sandbox
        .join("api/v1/sessions")
        .unwrap_or_else(|_| sandbox.clone());
    Arc::new(move |n| {
        let (http, url) = (http.clone(), url.clone());
        Box::pin(async move {
            let body = json!({
                "reference": format!("vendor-{n}"),
                "return_url": "http://127.0.0.1:9/v1/return/vs_reference",
                "notify_url": "http://127.0.0.1:9/v1/callbacks/sandbox",
                "ttl_seconds": 7200,
            });
            match http
                .post(url)
                .bearer_auth("sandbox")
                .json(&body)
                .send()
                .await
            {
                Ok(answer) => answer.status().is_success() && answer.bytes().await.is_ok(),
                Err(_) => false,
            }
        })
    })
}

/// A warm-up, the closed loop (throughput), then the open loop at the fixed rate (latency);
/// the CPU time of the processes `pids` (and of PostgreSQL's, when it runs here) over each.
async fn measure(
    name: &str,
    kind: Kind,
    request: Request,
    pids: &[u32],
    settings: &Settings,
) -> Creation {
    let seconds = Duration::from_secs(settings.seconds);
    let warm = if settings.smoke {
        Duration::from_millis(200)
    } else {
        Duration::from_secs(1)
    };
    load::closed_loop(request.clone(), settings.concurrency, warm, 10_000_000).await;
    let beside = settings
        .during_closed_loop
        .as_deref()
        .filter(|_| matches!(kind, Kind::Facegate(_) | Kind::Durable(_)))
        .and_then(|command| {
            let file_name: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let command = command
                .replace("{pid}", &pids.first().copied().unwrap_or(0).to_string())
                .replace("{name}", &file_name);
            std::process::Command::new("sh")
                .arg("-c")
                .arg(command)
                .spawn()
                .ok()
        });
    let before = cpu::Sample::take(pids);
    let throughput =
        load::closed_loop(request.clone(), settings.concurrency, seconds, 20_000_000).await;
    let cpu = before.per_request(&cpu::Sample::take(pids), throughput.ok);
    if let Some(mut beside) = beside {
        let _ = beside.wait();
    }
    // A breath between the runs, so that the latency run does not start on a backlog.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = cpu::Sample::take(pids);
    let latency = load::open_loop(request, settings.rate, seconds, 30_000_000).await;
    let cpu_at_rate = before.per_request(&cpu::Sample::take(pids), latency.ok);
    say(&format!(
        "  {:.0}/s closed loop ({}); at {}/s: p50 {:.1} ms, p99 {:.1} ms ({}), {} errors",
        throughput.per_second(),
        cpu.as_ref()
            .map(cpu::PerRequest::describe)
            .unwrap_or_default(),
        settings.rate,
        latency.ms(0.5),
        latency.ms(0.99),
        cpu_at_rate
            .as_ref()
            .map(cpu::PerRequest::describe)
            .unwrap_or_default(),
        latency.errors + throughput.errors
    ));
    Creation {
        name: name.to_owned(),
        kind,
        throughput,
        latency,
        cpu,
        cpu_at_rate,
    }
}

/// Creates `count` sessions with references `{prefix}-n`, `concurrency` at a time; returns
/// their sandbox page URLs.
async fn create_many(
    http: &reqwest::Client,
    bases: &[Url],
    prefix: &str,
    count: u32,
    concurrency: usize,
) -> anyhow::Result<Vec<(String, Url)>> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..count {
        let permit = semaphore.clone().acquire_owned().await?;
        let http = http.clone();
        let base = bases[n as usize % bases.len()].clone();
        let body = create_body(&format!("{prefix}-{n}"));
        tasks.spawn(async move {
            let _permit = permit;
            let answer: Value = http
                .post(base.join("v1/verifications")?)
                .bearer_auth(API_KEY)
                .json(&body)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let id = answer["id"].as_str().context("no id")?.to_owned();
            let page = Url::parse(
                answer["next_action"]["url"]
                    .as_str()
                    .context("no next_action.url")?,
            )?;
            anyhow::Ok((id, page))
        });
    }
    let mut created = Vec::new();
    while let Some(done) = tasks.join_next().await {
        created.push(done??);
    }
    Ok(created)
}

/// The user passes on the sandbox page; the redirect back is not followed.
async fn pass(http: &reqwest::Client, page: Url) -> anyhow::Result<()> {
    let answer = http.post(page).form(&[("outcome", "pass")]).send().await?;
    anyhow::ensure!(
        answer.status().is_redirection(),
        "the sandbox page answered {}",
        answer.status()
    );
    Ok(())
}

/// `count` pending sessions finished at the vendor as fast as the bench can; the vendor's
/// notify reaches facegate, which asks the vendor and makes each session final. Timed from the
/// first finish to the last final status in the database.
async fn notify_to_final(
    http: &reqwest::Client,
    name: &str,
    bases: &[Url],
    database: &db::Database,
    count: u32,
    prefix: &str,
) -> anyhow::Result<Notify> {
    let created = create_many(http, bases, prefix, count, 32).await?;
    let started = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = tokio::task::JoinSet::new();
    for (_, page) in created {
        let permit = semaphore.clone().acquire_owned().await?;
        let http = http.clone();
        tasks.spawn(async move {
            let _permit = permit;
            pass(&http, page).await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let deadline = started + Duration::from_secs(300);
    loop {
        let finals = database.finals(&format!("{prefix}-")).await?;
        if finals >= i64::from(count) {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{name}: {finals} of {count} sessions final after 300 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    say(&format!(
        "  notify-to-final: {count} sessions in {:.2} s ({:.0}/s)",
        elapsed.as_secs_f64(),
        f64::from(count) / elapsed.as_secs_f64()
    ));
    Ok(Notify {
        name: name.to_owned(),
        sessions: count,
        elapsed,
    })
}

/// One replica on `database`: `pending` sessions created through the API, one finished as the
/// template of the bulk copy up to `stored`; memory read idle, then after a run at the fixed rate.
#[allow(clippy::too_many_arguments)]
async fn memory_run(
    http: &reqwest::Client,
    dir: &std::path::Path,
    name: &str,
    database: &db::Database,
    sandbox: &Process,
    binary: &std::path::Path,
    settings: &Settings,
    stored: u32,
    pending: u32,
) -> anyhow::Result<Memory> {
    say(&format!(
        "memory, {name}: seeding {stored} sessions, {pending} pending"
    ));
    let replica = procs::facegate(
        dir,
        binary,
        &format!("memory-{name}"),
        database.url(),
        &sandbox.base,
        None,
        false,
    )
    .await?;
    let bases = vec![replica.base.clone()];
    let seeding = Instant::now();
    create_many(http, &bases, "memory-pending", pending, 32).await?;
    let template = create_many(http, &bases, "memory-template", 1, 1).await?;
    let (template_id, page) = template.into_iter().next().context("no template")?;
    pass(http, page).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while database.finals("memory-template").await? < 1 {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the template session never became final"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    database
        .bulk_copy(&template_id, stored.saturating_sub(pending + 1))
        .await?;
    let seed_seconds = seeding.elapsed().as_secs_f64();
    let (stored_now, pending_now) = database.census().await?;
    // The server reads its newest pages and settles.
    for _ in 0..20 {
        let _ = http
            .get(replica.base.join("v1/verifications?limit=100")?)
            .bearer_auth(API_KEY)
            .send()
            .await?
            .bytes()
            .await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_kib = replica.memory_kib()?;
    load::open_loop(
        create_request(http, bases, "memory-load"),
        settings.rate,
        Duration::from_secs(settings.seconds),
        40_000_000,
    )
    .await;
    let loaded_kib = replica.memory_kib()?;
    say(&format!(
        "  {stored_now} stored, {pending_now} pending: RSS {} KiB idle, {} KiB after load (peak {} KiB)",
        idle_kib.0, loaded_kib.0, loaded_kib.1
    ));
    replica.stop();
    Ok(Memory {
        name: name.to_owned(),
        stored: stored_now,
        pending: pending_now,
        seed_seconds,
        idle_kib,
        loaded_kib,
    })
}
