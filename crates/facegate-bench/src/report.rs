//! BENCHMARKS.md: the machine, the commands, the figures side by side with the reference, the
//! targets, and the notes on what bounds them.

use std::fmt::Write;
use std::time::Duration;

use crate::{Creation, Kind, Memory, Notify, Settings, Store};

pub struct Report<'a> {
    pub settings: &'a Settings,
    pub command_line: &'a str,
    pub creations: &'a [Creation],
    pub notifies: &'a [Notify],
    pub memory: &'a [Memory],
    pub postgres_version: Option<&'a str>,
    pub wasm: Option<&'a str>,
    pub analysis: Option<&'a str>,
    pub load_before: &'a str,
    pub load_after: &'a str,
    pub duration: Duration,
}

/// Creation throughput at least this share of the bare durable reference on the same store.
const DURABLE_TARGET: f64 = 0.7;
/// p99 at the fixed rate at most this multiple of the bare durable reference's.
const P99_VS_DURABLE_TARGET: f64 = 3.0;
const P99_TARGET_MS: f64 = 25.0;
const RSS_TARGET_KIB: u64 = 60 * 1024;
/// Server CPU per creation before group commit (SQLite, closed loop, the mean of the A/B runs
/// in crates/facegate-bench/analysis.md): the target is half of it.
const CPU_BEFORE_US: f64 = 715.0;

impl Report<'_> {
    /// The bare rows, in order: the bare axum endpoint, then the bare vendor call.
    fn bare(&self, index: usize) -> Option<&Creation> {
        self.creations
            .iter()
            .filter(|c| c.kind == Kind::Bare)
            .nth(index)
    }

    /// The bare durable reference on `store`.
    fn durable(&self, store: Store) -> Option<&Creation> {
        self.creations
            .iter()
            .find(|c| c.kind == Kind::Durable(store))
    }

    fn facegate(&self) -> impl Iterator<Item = (Store, &Creation)> {
        self.creations.iter().filter_map(|c| match c.kind {
            Kind::Facegate(store) => Some((store, c)),
            _ => None,
        })
    }

    /// The bare durable reference a row compares with (itself for a durable row).
    fn durable_for(&self, creation: &Creation) -> Option<&Creation> {
        match creation.kind {
            Kind::Bare => None,
            Kind::Durable(store) | Kind::Facegate(store) => self.durable(store),
        }
    }
}

fn cpu_cell(cpu: Option<crate::cpu::PerRequest>) -> (String, String) {
    match cpu {
        Some(cpu) => (
            format!("{:.0}", cpu.server_us),
            if cpu.postgres_us >= 0.5 {
                format!("{:.0}", cpu.postgres_us)
            } else {
                String::new()
            },
        ),
        None => (String::new(), String::new()),
    }
}

fn command(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_else(|| format!("({program} not available)"))
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "**missed**"
    }
}

pub fn render(report: &Report<'_>) -> String {
    let s = report.settings;
    let mut out = String::new();
    let now = time::OffsetDateTime::now_utc();
    let _ = writeln!(out, "# facegate benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `facegate-bench` (crates/facegate-bench) on {}, commit `{}`, in {:.0} s.{}\n",
        now.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        command("git", &["rev-parse", "--short", "HEAD"]),
        report.duration.as_secs_f64(),
        if s.smoke {
            " **Smoke run: the figures mean nothing.**"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "Everything runs on this one machine: the load generator (this tool), the vendor double \
         (`facegate-sandbox`), the bare reference server, the facegate replicas and PostgreSQL \
         share its cores, so the reference is measured under the same constraints as facegate. \
         Load average before the run: `{}`; after: `{}` (other work on the machine shows here).\n",
        report.load_before, report.load_after
    );

    let _ = writeln!(out, "## Reproduce\n");
    let _ = writeln!(
        out,
        "```sh\n{}\n```\n\nwhich builds the release binaries (`facegate`, `facegate-sandbox`, \
         `facegate-bench`) and runs `target/release/facegate-bench --seconds {} --rate {} \
         --concurrency {}` (PostgreSQL from `--postgres URL`, FACEGATE_TEST_DATABASE_URL, or \
         trust auth on 127.0.0.1:5432; `scripts/postgres.sh` provides one).\n",
        report.command_line, s.seconds, s.rate, s.concurrency
    );

    let _ = writeln!(out, "## Machine\n");
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_total = meminfo
        .lines()
        .find(|line| line.starts_with("MemTotal:"))
        .unwrap_or("MemTotal: unknown");
    let _ = writeln!(
        out,
        "- kernel: `{}`\n- memory: `{}`\n- rustc: `{}`\n- database: {}; SQLite through sqlx's bundled libsqlite3\n",
        command("uname", &["-sr"]),
        memory_total.split_whitespace().collect::<Vec<_>>().join(" "),
        command("rustc", &["-V"]),
        report
            .postgres_version
            .map(|v| format!("`{v}`"))
            .unwrap_or_else(|| "no PostgreSQL server answered".into()),
    );
    let _ = writeln!(out, "```\n{}\n```\n", command("lscpu", &[]));

    let _ = writeln!(out, "## Session creation\n");
    let _ = writeln!(
        out,
        "`POST /v1/verifications` with a subject (name and ID number encrypted with AES-256-GCM), \
         provider `sandbox`: one vendor call to the loopback double and two store writes (the \
         row, with its subject digest, reserved before the call; the vendor's answer after it). \
         The two bare rows are the HTTP stack alone and the vendor call alone. The bare durable \
         reference (crates/facegate-bench/src/durable.rs) is what keeping the promise \"an \
         acknowledged session survives kill -9\" costs: a minimal axum handler making the same \
         vendor call and the same two durable writes (same table, columns and byte sizes, through \
         sqlx, with facegate's pragmas and `synchronous` setting), and nothing else. facegate's \
         rows are ratios to it on the same store, and to the bare endpoint, from this one run. \
         CPU: user + system time of the server process(es) (all replicas) over the closed loop, \
         per creation, from /proc/<pid>/stat; PostgreSQL's processes likewise.{}\n",
        if s.creation_only {
            " This run measured creation only (`--creation-only`): the notify and memory \
             sections are empty."
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "Throughput: closed loop, {} clients, {} s after a 1 s warm-up.\n",
        s.concurrency, s.seconds
    );
    let bare = report.bare(0).map(|c| c.throughput.per_second());
    let vendor = report.bare(1).map(|c| c.throughput.per_second());
    let _ = writeln!(
        out,
        "| configuration | creations/s | vs bare axum | vs bare durable | p50 ms | p99 ms | server CPU us/creation | PostgreSQL CPU us/creation | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for creation in report.creations {
        let rate = creation.throughput.per_second();
        let ratio = |reference: Option<f64>| {
            reference
                .filter(|r| *r > 0.0)
                .map(|r| format!("{:.0}%", 100.0 * rate / r))
                .unwrap_or_default()
        };
        let (server_cpu, postgres_cpu) = cpu_cell(creation.cpu);
        let _ = writeln!(
            out,
            "| {} | {:.0} | {} | {} | {:.2} | {:.2} | {} | {} | {} |",
            creation.name,
            rate,
            ratio(bare),
            ratio(
                report
                    .durable_for(creation)
                    .map(|d| d.throughput.per_second())
            ),
            creation.throughput.ms(0.5),
            creation.throughput.ms(0.99),
            server_cpu,
            postgres_cpu,
            creation.throughput.errors
        );
    }
    let _ = writeln!(
        out,
        "\nLatency at a fixed offered load: open loop, {} creations/s for {} s, each request \
         timed from its scheduled start (a queue in the server counts against it).\n",
        s.rate, s.seconds
    );
    let _ = writeln!(
        out,
        "| configuration | achieved/s | p50 ms | p95 ms | p99 ms | max ms | p99 vs bare axum | p99 vs bare durable | server CPU us/creation | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    let bare_p99 = report.bare(0).map(|c| c.latency.ms(0.99));
    for creation in report.creations {
        let l = &creation.latency;
        let times = |reference: Option<f64>| {
            reference
                .filter(|b| *b > 0.0)
                .map(|b| format!("{:.1}x", l.ms(0.99) / b))
                .unwrap_or_default()
        };
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {} | {} | {} |",
            creation.name,
            l.per_second(),
            l.ms(0.5),
            l.ms(0.95),
            l.ms(0.99),
            l.max_ms(),
            times(bare_p99),
            times(report.durable_for(creation).map(|d| d.latency.ms(0.99))),
            cpu_cell(creation.cpu_at_rate).0,
            l.errors
        );
    }

    let _ = writeln!(out, "\n## Notify to final\n");
    let _ = writeln!(
        out,
        "Pending sessions are finished on the vendor's page as fast as the bench can post them; \
         the vendor's notify reaches facegate, which asks the vendor for the result (the notify \
         is only a hint), applies the transition and writes the webhook event in the same \
         transaction. Timed from the first finish to the last final status in the database. Each \
         session costs the vendor double two calls (the page and the result query), so the bare \
         vendor-call rate over two is this pipeline's physical limit.\n"
    );
    let _ = writeln!(
        out,
        "| configuration | sessions | seconds | final/s | vs bare vendor call / 2 |\n|---|---:|---:|---:|---:|"
    );
    for notify in report.notifies {
        let rate = f64::from(notify.sessions) / notify.elapsed.as_secs_f64();
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {:.0} | {} |",
            notify.name,
            notify.sessions,
            notify.elapsed.as_secs_f64(),
            rate,
            vendor
                .filter(|v| *v > 0.0)
                .map(|v| format!("{:.0}%", 100.0 * rate / (v / 2.0)))
                .unwrap_or_default()
        );
    }

    let _ = writeln!(out, "\n## Server memory\n");
    let _ = writeln!(
        out,
        "One replica. The pending sessions are created through the API (real vendor sessions); \
         one more is finished and its row copied in one `INSERT ... SELECT` up to the stored \
         count (the bulk path, crates/facegate-bench/src/db.rs). RSS (VmRSS) and peak (VmHWM) \
         from /proc/<pid>/status: idle after reading list pages, then after {} s at {} \
         creations/s.\n",
        s.seconds, s.rate
    );
    let _ = writeln!(
        out,
        "| store | stored | pending | seed s | RSS idle | RSS after load | peak RSS |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for m in report.memory {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.1} | {} | {} | {} |",
            m.name,
            m.stored,
            m.pending,
            m.seed_seconds,
            mib(m.idle_kib.0),
            mib(m.loaded_kib.0),
            mib(m.loaded_kib.1)
        );
    }

    let _ = writeln!(out, "\n## The wasm helper\n");
    match report.wasm {
        Some(text) => {
            let _ = writeln!(
                out,
                "From `scripts/bench-wasm-size.sh` (wasm-release profile, wasm-bindgen, wasm-opt -Oz):\n\n```\n{}\n```",
                text.trim()
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Not built in this run: `scripts/bench.sh` runs `scripts/bench-wasm-size.sh` when \
                 the wasm toolchain (`scripts/setup.sh`) is present and FACEGATE_BENCH_WASM is \
                 not `skip`."
            );
        }
    }

    let _ = writeln!(out, "\n## Targets\n");
    let _ = writeln!(out, "| target | figure | verdict |\n|---|---|---|");
    for (store, creation) in report.facegate() {
        let Some(durable) = report.durable(store) else {
            continue;
        };
        let (rate, reference) = (
            creation.throughput.per_second(),
            durable.throughput.per_second(),
        );
        if reference > 0.0 {
            let ratio = rate / reference;
            let _ = writeln!(
                out,
                "| creation >= 70% of the bare durable reference ({}) | {:.0}% ({rate:.0}/s vs {reference:.0}/s) | {} |",
                creation.name,
                100.0 * ratio,
                verdict(ratio >= DURABLE_TARGET)
            );
        }
        let (p99, reference_p99) = (creation.latency.ms(0.99), durable.latency.ms(0.99));
        if reference_p99 > 0.0 {
            let _ = writeln!(
                out,
                "| p99 at {} creations/s <= 3x the bare durable p99 ({}) | {p99:.2} ms vs {reference_p99:.2} ms ({:.1}x) | {} |",
                s.rate,
                creation.name,
                p99 / reference_p99,
                verdict(
                    p99 <= P99_VS_DURABLE_TARGET * reference_p99 && creation.latency.errors == 0
                )
            );
        }
    }
    if let Some(cpu) = report
        .facegate()
        .find(|(store, _)| *store == Store::Sqlite)
        .and_then(|(_, c)| c.cpu)
    {
        let _ = writeln!(
            out,
            "| server CPU per creation halved from {CPU_BEFORE_US:.0} us (SQLite, closed loop) | {:.0} us ({:.0}%) | {} |",
            cpu.server_us,
            100.0 * cpu.server_us / CPU_BEFORE_US,
            verdict(cpu.server_us <= CPU_BEFORE_US / 2.0)
        );
    }
    for (_, creation) in report.facegate() {
        let p99 = creation.latency.ms(0.99);
        let _ = writeln!(
            out,
            "| p99 < 25 ms at {} creations/s ({}) | {:.2} ms | {} |",
            s.rate,
            creation.name,
            p99,
            verdict(p99 < P99_TARGET_MS && creation.latency.errors == 0)
        );
    }
    for m in report.memory {
        let peak = m.loaded_kib.1;
        let _ = writeln!(
            out,
            "| RSS <= 60 MB with {} stored, {} pending ({}) | peak {} | {} |",
            m.stored,
            m.pending,
            m.name,
            mib(peak),
            verdict(peak <= RSS_TARGET_KIB)
        );
    }

    let _ = writeln!(out, "\n## What bounds the figures\n");
    match report.analysis {
        Some(text) => {
            let _ = writeln!(out, "{}", text.trim());
        }
        None => {
            let _ = writeln!(
                out,
                "(no notes: crates/facegate-bench/analysis.md is missing)"
            );
        }
    }
    out
}
