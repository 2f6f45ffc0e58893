//! The replay budget: how much of a link's trail a page replays before it stops and asks.
//!
//! A page's state is "start, then these actions", and a permalink carries the actions. A
//! link is untrusted input and cheap to make: 57 characters carry 30 "Profile by depth"
//! actions, about 25 s of work. So a page replays a link's trail within a budget of
//! actions and measured time; past it, it stops, shows what it did replay, and offers to
//! replay the rest (see [`ReplayProgress`]).
//!
//! The first action always runs (a link of one heavy action is an ordinary state). Before
//! each further action, the budget asks whether it would still fit, judging by the
//! longest action so far: an action's cost is known only once it has run.

use serde::Serialize;
use web_time::{Duration, Instant};

/// Limits on the work a page replays from a link in one go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayBudget {
    /// Actions replayed at most.
    pub max_actions: usize,
    /// Measured time the replayed actions may take together.
    pub max_duration: Duration,
}

impl ReplayBudget {
    /// No limit: native tests and tools that rebuild a state in full.
    pub const UNLIMITED: ReplayBudget = ReplayBudget {
        max_actions: usize::MAX,
        max_duration: Duration::MAX,
    };
}

impl Default for ReplayBudget {
    /// Half a second of replay keeps a link's page opening in under two seconds on the
    /// slowest page we have (measured: the 30-profile link of the pagination page shows
    /// its notice 1.65-1.97 s after navigation with a 1 s budget, which is too close);
    /// 50 actions is more than anyone clicks to make a point.
    fn default() -> Self {
        Self {
            max_actions: 50,
            max_duration: Duration::from_millis(500),
        }
    }
}

/// Why a replay stopped before the end of its trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplayStop {
    /// The next action would have gone past [`ReplayBudget::max_actions`].
    Actions { limit: usize },
    /// The next action would likely have gone past [`ReplayBudget::max_duration`].
    Time { limit_ms: u64 },
}

/// How far a replay got.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplayProgress {
    /// Actions of the trail handled (run, or skipped as unknown), from its start.
    pub replayed: usize,
    /// Actions in the trail.
    pub total: usize,
    /// Measured time of the actions run.
    pub elapsed_ms: f64,
    /// Why it stopped early; `None` when the whole trail was replayed.
    pub stopped: Option<ReplayStop>,
}

impl ReplayProgress {
    pub fn remaining(&self) -> usize {
        self.total - self.replayed
    }

    /// What the page says when it stopped early, e.g. "Replayed 1 of 30 actions from
    /// this link (0.95 s), then stopped to keep the page responsive."; `None` when the
    /// whole trail was replayed.
    pub fn notice(&self) -> Option<String> {
        let why = match self.stopped? {
            ReplayStop::Actions { limit } => format!("the link replays at most {limit} at once"),
            ReplayStop::Time { limit_ms } => {
                format!("the next would have gone past the {limit_ms} ms replay budget")
            }
        };
        Some(format!(
            "Replayed {} of {} actions from this link ({:.2} s), then stopped: {why}. {} not replayed yet.",
            self.replayed,
            self.total,
            self.elapsed_ms / 1000.0,
            match self.remaining() {
                1 => "1 action is".to_string(),
                n => format!("{n} actions are"),
            }
        ))
    }
}

impl ReplayProgress {
    /// This replay, then `more` (the replay of the rest of the same trail, after it
    /// stopped): how far the whole trail has got.
    pub fn followed_by(&self, more: &ReplayProgress) -> ReplayProgress {
        ReplayProgress {
            replayed: self.replayed + more.replayed,
            total: self.total,
            elapsed_ms: self.elapsed_ms + more.elapsed_ms,
            stopped: more.stopped,
        }
    }
}

impl ReplayBudget {
    /// Runs `run` on the items of `trail` in order while the budget allows, and says how
    /// far it got. `run` returns whether the item did any work (an unknown id skipped does
    /// not count against the action limit).
    pub fn replay<T>(&self, trail: &[T], mut run: impl FnMut(&T) -> bool) -> ReplayProgress {
        let started = Instant::now();
        let mut actions_run = 0usize;
        let mut longest = Duration::ZERO;
        let mut stopped = None;
        let mut replayed = 0;
        for item in trail {
            if actions_run > 0 {
                if actions_run >= self.max_actions {
                    stopped = Some(ReplayStop::Actions {
                        limit: self.max_actions,
                    });
                    break;
                }
                if started.elapsed().saturating_add(longest) > self.max_duration {
                    stopped = Some(ReplayStop::Time {
                        limit_ms: u64::try_from(self.max_duration.as_millis()).unwrap_or(u64::MAX),
                    });
                    break;
                }
            }
            let before = Instant::now();
            if run(item) {
                actions_run += 1;
                longest = longest.max(before.elapsed());
            }
            replayed += 1;
        }
        ReplayProgress {
            replayed,
            total: trail.len(),
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
            stopped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unlimited_budget_replays_everything() {
        let mut seen = Vec::new();
        let progress = ReplayBudget::UNLIMITED.replay(&[1, 2, 3], |i| {
            seen.push(*i);
            true
        });
        assert_eq!(seen, [1, 2, 3]);
        assert_eq!(progress.replayed, 3);
        assert_eq!(progress.stopped, None);
        assert_eq!(progress.notice(), None);
    }

    #[test]
    fn the_action_limit_stops_after_that_many_and_skips_do_not_count() {
        let budget = ReplayBudget {
            max_actions: 2,
            max_duration: Duration::MAX,
        };
        // 0 stands for an unknown id: skipped, not counted.
        let progress = budget.replay(&[1, 0, 0, 2, 3, 4], |i| *i != 0);
        assert_eq!(progress.replayed, 4);
        assert_eq!(progress.remaining(), 2);
        assert_eq!(progress.stopped, Some(ReplayStop::Actions { limit: 2 }));
        let notice = progress.notice().unwrap();
        assert!(notice.starts_with("Replayed 4 of 6 actions"), "{notice}");
        assert!(
            notice.contains("2 actions are not replayed yet"),
            "{notice}"
        );
    }

    #[test]
    fn the_time_limit_always_runs_the_first_action_then_stops() {
        let budget = ReplayBudget {
            max_actions: usize::MAX,
            max_duration: Duration::ZERO,
        };
        let mut runs = 0;
        let progress = budget.replay(&[1, 2, 3], |_| {
            runs += 1;
            std::thread::sleep(Duration::from_millis(1));
            true
        });
        assert_eq!(runs, 1);
        assert_eq!(progress.replayed, 1);
        assert_eq!(progress.stopped, Some(ReplayStop::Time { limit_ms: 0 }));
        assert!(progress.notice().unwrap().contains("0 ms replay budget"));
    }

    #[test]
    fn the_time_limit_judges_the_next_action_by_the_longest_so_far() {
        // Each action takes 20 ms; with 50 ms of budget the third would end past it.
        let budget = ReplayBudget {
            max_actions: usize::MAX,
            max_duration: Duration::from_millis(50),
        };
        let progress = budget.replay(&[1, 2, 3, 4, 5], |_| {
            std::thread::sleep(Duration::from_millis(20));
            true
        });
        // After two, at least 40 ms have passed and the longest took at least 20: the
        // third does not fit (a slow machine stops sooner, never later).
        assert!((1..=2).contains(&progress.replayed), "{progress:?}");
    }

    #[test]
    fn going_on_adds_up_to_the_whole_trail() {
        let budget = ReplayBudget {
            max_actions: 2,
            max_duration: Duration::MAX,
        };
        let trail = [1, 2, 3, 4, 5];
        let first = budget.replay(&trail, |_| true);
        let second = budget.replay(&trail[first.replayed..], |_| true);
        let so_far = first.followed_by(&second);
        assert_eq!((so_far.replayed, so_far.total), (4, 5));
        assert!(so_far.notice().unwrap().starts_with("Replayed 4 of 5"));
        let last = budget.replay(&trail[so_far.replayed..], |_| true);
        let done = so_far.followed_by(&last);
        assert_eq!((done.replayed, done.stopped), (5, None));
    }
}
