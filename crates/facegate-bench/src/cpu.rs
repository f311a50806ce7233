//! CPU time per request, from /proc: the user and system time (`utime`, `stime`, fields 14 and
//! 15 of /proc/<pid>/stat, in clock ticks) of the server processes, and of every PostgreSQL
//! process on this machine (the database's share of a creation), over a run, divided by the
//! requests it answered.

use std::sync::OnceLock;

/// The clock ticks per second of /proc's times (`getconf CLK_TCK`, 100 where it cannot say).
fn ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|output| String::from_utf8(output.stdout).ok())
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// (command name, utime + stime in ticks) of one process, if it still runs.
fn times(pid: u32) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: the fields follow the last ')'.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_owned();
    let fields: Vec<&str> = stat.get(close + 2..)?.split_whitespace().collect();
    // Field 3 (state) is fields[0]; utime is field 14, stime field 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

/// Ticks of every process named `postgres` (the server and its backends).
fn postgres_ticks() -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(times)
        .filter(|(name, _)| name == "postgres")
        .map(|(_, ticks)| ticks)
        .sum()
}

/// The processes' CPU time at one moment.
pub struct Sample {
    server: u64,
    postgres: u64,
}

impl Sample {
    pub fn take(pids: &[u32]) -> Self {
        Self {
            server: pids.iter().filter_map(|pid| times(*pid)).map(|t| t.1).sum(),
            postgres: postgres_ticks(),
        }
    }

    /// Microseconds of CPU per request between `self` and `later`, over `requests`.
    pub fn per_request(&self, later: &Sample, requests: u64) -> Option<PerRequest> {
        if requests == 0 {
            return None;
        }
        let micros = |ticks: u64| ticks as f64 / ticks_per_second() * 1e6 / requests as f64;
        Some(PerRequest {
            server_us: micros(later.server.saturating_sub(self.server)),
            postgres_us: micros(later.postgres.saturating_sub(self.postgres)),
        })
    }
}

/// CPU microseconds per request.
#[derive(Clone, Copy, Debug)]
pub struct PerRequest {
    /// In the server processes (all replicas).
    pub server_us: f64,
    /// In PostgreSQL's processes (0 when it does not run on this machine or was idle).
    pub postgres_us: f64,
}

impl PerRequest {
    pub fn describe(&self) -> String {
        format!(
            "CPU {:.0} us/request in the server, {:.0} in PostgreSQL",
            self.server_us, self.postgres_us
        )
    }
}
