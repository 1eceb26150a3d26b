//! Timing: contenders run in turn, so a slow moment of the machine hits them all alike, and each
//! is reported by its median. The order changes from round to round (a balanced Latin square):
//! each contender follows every other one equally often, so what a run leaves behind (a
//! dropped database, pages still to be written) does not always fall on the same next one.
//! Runs that write to disk also wait, untimed, for the kernel to write back what the previous
//! run left (see [`Settle`]).

use std::any::Any;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a contender is, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The tidemark binary.
    Tidemark,
    /// The database's own client doing the minimum.
    Floor,
    /// Another migration tool.
    Peer,
}

/// A prepared run: the command to time and what to drop after it (a scratch database).
pub struct Prepared {
    /// The command (stdout and stderr are captured).
    pub command: Command,
    /// Dropped after the run, outside the timing.
    pub guard: Box<dyn Any>,
}

/// Makes the next run's command (creating a fresh database, say); not timed.
pub type Prepare<'a> = Box<dyn FnMut() -> Result<Prepared, String> + 'a>;

/// One contender in a measurement.
pub struct Contender<'a> {
    /// Its name (`tidemark`, `psql`, `sqlx-cli`, ...).
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Makes each run's command.
    pub prepare: Prepare<'a>,
}

/// A contender's result.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The median wall-clock time, `None` when it failed.
    pub median: Option<Duration>,
    /// Why it has no figure.
    pub failure: Option<String>,
}

/// What happens between two runs, outside the timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Nothing: the runs only read.
    Nothing,
    /// `sync`: the runs write to disk, and a run must not pay for the write-back of the one
    /// before it.
    Sync,
}

/// Runs every contender `runs` times, alternating, and returns their medians.
pub fn alternate(runs: usize, contenders: &mut [Contender<'_>], settle: Settle) -> Vec<Measured> {
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); contenders.len()];
    let mut failures: Vec<Option<String>> = vec![None; contenders.len()];
    let orders = balanced_orders(contenders.len());
    for round in 0..runs {
        for &i in &orders[round % orders.len()] {
            if failures[i].is_some() {
                continue;
            }
            if settle == Settle::Sync {
                let _ = Command::new("sync").status();
            }
            match run_once(&mut contenders[i].prepare) {
                Ok(t) => times[i].push(t),
                Err(e) => failures[i] = Some(e),
            }
        }
    }
    contenders
        .iter()
        .zip(times)
        .zip(failures)
        .map(|((c, times), failure)| Measured {
            name: c.name.clone(),
            role: c.role,
            median: if failure.is_none() {
                median(times)
            } else {
                None
            },
            failure,
        })
        .collect()
}

/// The orders of the rounds, a Williams design: in the first `n` orders (and, for an odd `n`,
/// their mirror images after them) every contender comes straight after every other one
/// equally often. The first order is `0, 1, n-1, 2, n-2, ...`; each next one adds 1 (mod `n`).
pub fn balanced_orders(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut first = Vec::with_capacity(n);
    let (mut low, mut high) = (0, n);
    for k in 0..n {
        if k % 2 == 0 {
            first.push(low);
            low += 1;
        } else {
            high -= 1;
            first.push(high);
        }
    }
    let mut orders: Vec<Vec<usize>> = (0..n)
        .map(|shift| first.iter().map(|&c| (c + shift) % n).collect())
        .collect();
    if n % 2 == 1 {
        let mirrored: Vec<Vec<usize>> = orders
            .iter()
            .map(|o| o.iter().rev().copied().collect())
            .collect();
        orders.extend(mirrored);
    }
    orders
}

fn run_once(prepare: &mut Prepare<'_>) -> Result<Duration, String> {
    let Prepared { mut command, guard } = prepare()?;
    command.stdin(Stdio::null());
    let start = Instant::now();
    let out = command
        .output()
        .map_err(|e| format!("cannot start {:?}: {e}", command.get_program()))?;
    let elapsed = start.elapsed();
    drop(guard);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let text = if stderr.trim().is_empty() {
            stdout
        } else {
            stderr
        };
        let tail: Vec<&str> = text.split('\n').filter(|l| !l.trim().is_empty()).collect();
        let tail = tail[tail.len().saturating_sub(3)..].join(" / ");
        return Err(format!("exit {}: {tail}", out.status));
    }
    Ok(elapsed)
}

/// The median (the lower of the two middle values for an even count).
pub fn median(mut times: Vec<Duration>) -> Option<Duration> {
    if times.is_empty() {
        return None;
    }
    times.sort();
    Some(times[(times.len() - 1) / 2])
}

/// `12.3 ms`, `1.24 s`.
pub fn format(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 100.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// `0.87x`; below 0.1 with three decimals (`0.018x`), so a target such as 0.01x reads.
pub fn ratio(a: Duration, b: Duration) -> String {
    if b.is_zero() {
        return "-".into();
    }
    let r = a.as_secs_f64() / b.as_secs_f64();
    if r < 0.1 {
        format!("{r:.3}x")
    } else {
        format!("{r:.2}x")
    }
}

/// Peak resident memory of a command in KiB, from `/usr/bin/time -f %M` (GNU time).
pub fn peak_rss_kib(command: Command) -> Result<u64, String> {
    let time = std::path::Path::new("/usr/bin/time");
    if !time.exists() {
        return Err("/usr/bin/time is not installed".into());
    }
    let report = std::env::temp_dir().join(format!("tidemark-bench-rss-{}", std::process::id()));
    let mut wrapped = Command::new(time);
    wrapped
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(command.get_program())
        .args(command.get_args())
        .stdin(Stdio::null());
    if let Some(dir) = command.get_current_dir() {
        wrapped.current_dir(dir);
    }
    for (k, v) in command.get_envs() {
        match v {
            Some(v) => wrapped.env(k, v),
            None => wrapped.env_remove(k),
        };
    }
    let out = wrapped
        .output()
        .map_err(|e| format!("cannot start /usr/bin/time: {e}"))?;
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    if !out.status.success() {
        return Err(format!(
            "exit {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    text.split('\n')
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .next_back()
        .ok_or_else(|| format!("no figure from /usr/bin/time: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contender_follows_every_other_equally_often() {
        for n in 1..=6 {
            let orders = balanced_orders(n);
            let mut follows = vec![vec![0usize; n]; n];
            for order in &orders {
                let mut seen = order.clone();
                seen.sort_unstable();
                assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n = {n}: {order:?}");
                for pair in order.windows(2) {
                    follows[pair[1]][pair[0]] += 1;
                }
            }
            let per_pair = if n % 2 == 0 { 1 } else { 2 };
            for (after, counts) in follows.iter().enumerate() {
                for (before, &count) in counts.iter().enumerate() {
                    let expected = if after == before { 0 } else { per_pair };
                    assert_eq!(count, expected, "n = {n}: {after} after {before}");
                }
            }
        }
    }

    #[test]
    fn medians_and_formats() {
        let ms = Duration::from_millis;
        assert_eq!(median(vec![ms(5), ms(1), ms(3)]), Some(ms(3)));
        assert_eq!(median(vec![ms(4), ms(1), ms(3), ms(2)]), Some(ms(2)));
        assert_eq!(median(vec![]), None);
        assert_eq!(format(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(format(ms(1234)), "1.23 s");
        assert_eq!(ratio(ms(50), ms(100)), "0.50x");
        assert_eq!(ratio(ms(43), ms(2420)), "0.018x");
    }
}
