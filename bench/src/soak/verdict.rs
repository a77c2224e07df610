//! The soak's verdicts, as pure functions of its samples: flat memory, live tasks and sessions
//! back to their baseline once the abuse is over, and no failed honest call.

use super::server::Stats;

/// One reading of the server, every 10 s.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    /// Seconds since the abuse started (negative before, while only honest clients run).
    pub t: f64,
    /// `VmRSS` in bytes.
    pub rss: u64,
    /// What `GET /stats` answered (`None` for a server without it).
    pub stats: Option<Stats>,
    /// Threads and open file descriptors of the server process.
    pub threads: u64,
    pub fds: u64,
    /// Honest calls that succeeded and failed since the previous sample, and the slowest one.
    pub honest_ok: u64,
    pub honest_failed: u64,
    pub honest_slowest_ms: f64,
}

/// The soak's timeline, in seconds from the start of the abuse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// How long abusers run.
    pub abuse: f64,
    /// The warm-up (the first part of the abuse, not judged), and the length of the two
    /// windows whose RSS is compared: the one right after the warm-up and the last one.
    pub window: f64,
    /// After the abuse: time for abandoned sessions to expire and be swept.
    pub grace: f64,
}

/// Where a sample falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Honest clients only, before the abuse (the sample at 0 is the baseline).
    Quiet,
    WarmUp,
    Abuse,
    /// Abusers stopped; honest clients go on.
    Grace,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Quiet => "quiet",
            Phase::WarmUp => "warm-up",
            Phase::Abuse => "abuse",
            Phase::Grace => "grace",
        }
    }
}

impl Plan {
    /// A soak of `minutes` of abuse: a warm-up and windows of one minute, or a quarter of the
    /// abuse when it is shorter than four minutes.
    pub fn new(minutes: f64, grace: f64) -> Plan {
        let abuse = minutes * 60.0;
        Plan {
            abuse,
            window: (abuse / 4.0).min(60.0),
            grace,
        }
    }

    pub fn phase(&self, t: f64) -> Phase {
        if t <= 0.0 {
            Phase::Quiet
        } else if t <= self.window {
            Phase::WarmUp
        } else if t <= self.abuse {
            Phase::Abuse
        } else {
            Phase::Grace
        }
    }
}

/// RSS may grow this much from the first window after the warm-up to the last one.
pub const RSS_GROWTH_LIMIT: f64 = 0.10;

/// Mean RSS in the window after the warm-up and in the last window of the abuse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flatness {
    pub first: f64,
    pub last: f64,
    /// Samples in each window.
    pub counts: (usize, usize),
}

impl Flatness {
    /// `last / first - 1`.
    pub fn growth(&self) -> f64 {
        self.last / self.first - 1.0
    }

    pub fn pass(&self) -> bool {
        self.growth() <= RSS_GROWTH_LIMIT
    }
}

/// A count at the baseline and at the end, and how much above the baseline still passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Return {
    pub baseline: u64,
    pub end: u64,
    pub tolerance: u64,
}

impl Return {
    pub fn pass(&self) -> bool {
        self.end <= self.baseline + self.tolerance
    }
}

/// Every verdict of a soak.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdicts {
    /// `None` when a window holds no sample (a soak too short to judge).
    pub rss: Option<Flatness>,
    /// The same windows for the live heap, when the server reports it (`Stats::heap`).
    pub heap: Option<Flatness>,
    /// `None` for a server without `/stats`, or without a baseline or end sample.
    pub tasks: Option<Return>,
    pub sessions: Option<Return>,
    pub honest_ok: u64,
    pub honest_failed: u64,
}

impl Verdicts {
    /// Whether every verdict that could be reached passed (a missing one does not pass).
    pub fn pass(&self) -> bool {
        self.rss.is_some_and(|r| r.pass())
            && self.heap.is_none_or(|r| r.pass())
            && self.tasks.is_none_or(|r| r.pass())
            && self.sessions.is_none_or(|r| r.pass())
            && self.honest_failed == 0
            && self.honest_ok > 0
    }
}

/// Judges `samples` (in time order) against `plan`. The baseline is the last quiet sample
/// (honest clients only, just before the abuse) and the end is the last sample of the grace
/// period; live tasks may end up to `task_tolerance` above the baseline (honest requests
/// in flight at either reading), sessions not at all.
pub fn judge(plan: &Plan, samples: &[Sample], task_tolerance: u64) -> Verdicts {
    let flatness = |value: &dyn Fn(&Sample) -> Option<u64>| {
        let mean = |from: f64, to: f64| {
            let inside: Vec<f64> = samples
                .iter()
                .filter(|s| s.t > from + 1e-9 && s.t <= to + 1e-9)
                .filter_map(|s| value(s).map(|v| v as f64))
                .collect();
            (!inside.is_empty()).then(|| {
                (
                    inside.iter().sum::<f64>() / inside.len() as f64,
                    inside.len(),
                )
            })
        };
        let first = mean(plan.window, 2.0 * plan.window);
        let last = mean(plan.abuse - plan.window, plan.abuse);
        match (first, last) {
            (Some((first, n)), Some((last, m)))
                if 2.0 * plan.window <= plan.abuse - plan.window + 1e-9 =>
            {
                Some(Flatness {
                    first,
                    last,
                    counts: (n, m),
                })
            }
            _ => None,
        }
    };
    let rss = flatness(&|s| Some(s.rss));
    let heap = flatness(&|s| s.stats.and_then(|x| x.heap));
    let baseline = samples
        .iter()
        .rev()
        .find(|s| plan.phase(s.t) == Phase::Quiet)
        .and_then(|s| s.stats);
    let end = samples
        .last()
        .filter(|s| plan.phase(s.t) == Phase::Grace && s.t >= plan.abuse + plan.grace - 1e-9)
        .and_then(|s| s.stats);
    let (tasks, sessions) = match (baseline, end) {
        (Some(b), Some(e)) => (
            Some(Return {
                baseline: b.alive_tasks,
                end: e.alive_tasks,
                tolerance: task_tolerance,
            }),
            Some(Return {
                baseline: b.sessions,
                end: e.sessions,
                tolerance: 0,
            }),
        ),
        _ => (None, None),
    };
    Verdicts {
        rss,
        heap,
        tasks,
        sessions,
        honest_ok: samples.iter().map(|s| s.honest_ok).sum(),
        honest_failed: samples.iter().map(|s| s.honest_failed).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    /// A 10-minute soak sampled every 10 s from -20 s to the end of a 60-s grace, with RSS
    /// and live tasks given by functions of the time.
    fn soak(rss_mib: impl Fn(f64) -> f64, tasks: impl Fn(f64) -> u64) -> (Plan, Vec<Sample>) {
        let plan = Plan::new(10.0, 60.0);
        let samples = (-2..=66)
            .map(|k| {
                let t = f64::from(k) * 10.0;
                Sample {
                    t,
                    rss: (rss_mib(t) * MIB as f64) as u64,
                    stats: Some(Stats {
                        alive_tasks: tasks(t),
                        sessions: if plan.phase(t) == Phase::Abuse {
                            300
                        } else {
                            4
                        },
                        events: 0,
                        heap: None,
                    }),
                    honest_ok: 100,
                    ..Sample::default()
                }
            })
            .collect();
        (plan, samples)
    }

    #[test]
    fn the_windows_are_the_minute_after_warm_up_and_the_last_minute() {
        // RSS climbs during the warm-up only, then is flat: the climb is not judged.
        let (plan, samples) = soak(|t| if t <= 60.0 { 20.0 + t } else { 80.0 }, |_| 10);
        let verdicts = judge(&plan, &samples, 6);
        let rss = verdicts.rss.expect("both windows hold samples");
        assert_eq!(rss.counts, (6, 6));
        assert_eq!(
            (rss.first, rss.last),
            (80.0 * MIB as f64, 80.0 * MIB as f64)
        );
        assert!(rss.pass());
        assert!(verdicts.pass());
        assert_eq!(verdicts.honest_ok, 69 * 100);
    }

    #[test]
    fn growth_past_ten_percent_fails_and_below_passes() {
        // A steady leak: 100 MiB at 1 min, 100 + 9 * 2.5 at 10 min.
        let leak = |per_min: f64| move |t: f64| 100.0 + (t / 60.0 - 1.0).max(0.0) * per_min;
        let (plan, samples) = soak(leak(2.5), |_| 10);
        let rss = judge(&plan, &samples, 6).rss.expect("judged");
        assert!(rss.growth() > RSS_GROWTH_LIMIT, "{rss:?}");
        assert!(!rss.pass());
        let (plan, samples) = soak(leak(1.0), |_| 10);
        let rss = judge(&plan, &samples, 6).rss.expect("judged");
        assert!(rss.growth() < RSS_GROWTH_LIMIT && rss.pass(), "{rss:?}");
        // Shrinking memory is flat enough.
        let (plan, samples) = soak(|t| 200.0 - t / 10.0, |_| 10);
        assert!(judge(&plan, &samples, 6).rss.is_some_and(|r| r.pass()));
    }

    #[test]
    fn tasks_and_sessions_must_come_back_after_the_grace() {
        // Many tasks during the abuse, back to 12 (baseline 10, tolerance 6) at the end.
        let (plan, samples) = soak(|_| 50.0, |t| if t > 0.0 && t < 640.0 { 900 } else { 12 });
        let verdicts = judge(&plan, &samples, 6);
        assert_eq!(
            verdicts.tasks,
            Some(Return {
                baseline: 12,
                end: 12,
                tolerance: 6
            })
        );
        assert!(verdicts.sessions.is_some_and(|s| s.pass()));
        assert!(verdicts.pass());
        // Tasks that stay: the baseline is the last quiet sample (t = 0), the end the last one.
        let (plan, samples) = soak(|_| 50.0, |t| if t > 0.0 { 40 } else { 10 });
        let verdicts = judge(&plan, &samples, 6);
        assert_eq!(verdicts.tasks.map(|r| (r.baseline, r.end)), Some((10, 40)));
        assert!(!verdicts.pass());
        // One session more than the baseline fails.
        let (plan, mut samples) = soak(|_| 50.0, |_| 10);
        if let Some(stats) = samples.last_mut().and_then(|s| s.stats.as_mut()) {
            stats.sessions = 5;
        }
        let verdicts = judge(&plan, &samples, 6);
        assert!(verdicts.sessions.is_some_and(|s| !s.pass()));
        assert!(!verdicts.pass());
    }

    #[test]
    fn a_failed_honest_call_or_a_missing_reading_fails() {
        let (plan, mut samples) = soak(|_| 50.0, |_| 10);
        samples[30].honest_failed = 1;
        assert!(!judge(&plan, &samples, 6).pass());
        // A soak cut short before the end of the grace has no end reading for tasks.
        let (plan, samples) = soak(|_| 50.0, |_| 10);
        let cut = &samples[..samples.len() - 2];
        let verdicts = judge(&plan, cut, 6);
        assert_eq!(verdicts.tasks, None);
        assert!(verdicts.pass(), "no /stats is not a failure by itself");
        // Without the last window there is no RSS verdict, and so no pass.
        let verdicts = judge(&plan, &samples[..40], 6);
        assert_eq!(verdicts.rss, None);
        assert!(!verdicts.pass());
    }

    #[test]
    fn short_soaks_judge_quarters() {
        let plan = Plan::new(2.0, 60.0);
        assert_eq!(plan.window, 30.0);
        assert_eq!(plan.phase(0.0), Phase::Quiet);
        assert_eq!(plan.phase(30.0), Phase::WarmUp);
        assert_eq!(plan.phase(31.0), Phase::Abuse);
        assert_eq!(plan.phase(121.0), Phase::Grace);
        let samples: Vec<Sample> = (0..=18)
            .map(|k| Sample {
                t: f64::from(k) * 10.0,
                rss: 100 * MIB,
                ..Sample::default()
            })
            .collect();
        let rss = judge(&plan, &samples, 6).rss.expect("judged");
        // 40, 50, 60 after the warm-up; 100, 110, 120 at the end.
        assert_eq!(rss.counts, (3, 3));
    }
}
