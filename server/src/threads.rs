//! Scheduling of the helper threads that must not slow down the ones a user waits on.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

thread_local! {
    /// Set on a thread whose work must not be split over rayon's pool (`work_alone`).
    static ALONE: Cell<bool> = const { Cell::new(false) };
}

/// Have the work started on the calling thread (a model build, a cold check) run on it
/// alone rather than split over rayon's pool. The server's analysis thread does: on this
/// kind of virtual machine the split made the open slower (median 12.6–14.0 against
/// 9.0–10.3 ms, interleaved lspbench runs), its halves contending in the server's one
/// malloc arena while the scheduler packed a woken worker onto the busy vCPU. The CLI,
/// with glibc's default arenas, keeps the split (`check` on the big file 10.2 vs 13.2 ms).
pub fn work_alone() {
    ALONE.with(|a| a.set(true));
}

/// Whether work started on the calling thread may be split over rayon's pool.
pub fn may_split() -> bool {
    !ALONE.with(Cell::get)
}

/// Give the calling thread the nice value `nice` (Linux with glibc, where a thread's nice
/// value is its own; elsewhere nothing). Unprivileged, it can only be raised: call it on
/// threads of their own.
pub fn lower_priority(nice: i32) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: setpriority on this thread's own id changes only its scheduling weight.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, nice);
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = nice;
}

/// Have the calling thread run only when a CPU would otherwise idle (`SCHED_IDLE` on
/// Linux with glibc; elsewhere, or if refused, the lowest nice value). Any other thread
/// that wakes takes the CPU from it at once, where a nice value only shortens its turns:
/// at nice 10, the open's full parse delayed the edits analysed beside it (interleaved
/// lspbench runs of 50 edits: edits over 3 ms in the first ten, 15 against 5 over 20
/// runs). A thread set so cannot leave it: call it on threads of their own.
pub fn idle_priority() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: sched_setscheduler on the calling thread (pid 0) with a valid parameter
    // changes only how that thread is scheduled.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) == 0 {
            return;
        }
    }
    lower_priority(19);
}

/// How many analyses and requests are under way, and when the last one ended
/// (nanoseconds since `epoch()`): what work done in idle time waits on
/// (`wait_for_quiet`).
static FOREGROUND: AtomicUsize = AtomicUsize::new(0);
static LAST_FOREGROUND: AtomicU64 = AtomicU64::new(0);

/// How long the server must have been idle before idle-time work goes on: longer than the
/// gap between a client's receiving one answer and sending its next message.
const QUIET: Duration = Duration::from_millis(3);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ns() -> u64 {
    u64::try_from(epoch().elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Work a user waits for (an analysis, a request), under way while this lives.
pub struct Foreground(());

impl Foreground {
    pub fn start() -> Foreground {
        FOREGROUND.fetch_add(1, Ordering::Relaxed);
        Foreground(())
    }
}

impl Drop for Foreground {
    fn drop(&mut self) {
        LAST_FOREGROUND.store(now_ns(), Ordering::Relaxed);
        FOREGROUND.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Return `true` once no analysis or request has run for a moment (at once when none ever
/// did), or `false` as soon as `give_up` says so. Idle-time work calls this between steps:
/// even on a CPU of its own, a document's first full parse slowed the edits analysed
/// beside it (the two vCPUs of this kind of machine share one core's throughput), and
/// nothing waits for it.
pub fn wait_for_quiet(give_up: impl Fn() -> bool) -> bool {
    loop {
        if give_up() {
            return false;
        }
        let last = LAST_FOREGROUND.load(Ordering::Relaxed);
        let busy = FOREGROUND.load(Ordering::Relaxed) > 0;
        let quiet_for = Duration::from_nanos(now_ns().saturating_sub(last));
        if !busy && (last == 0 || quiet_for >= QUIET) {
            return true;
        }
        std::thread::sleep(
            QUIET
                .saturating_sub(quiet_for)
                .max(Duration::from_micros(500)),
        );
    }
}

/// Start rayon's global pool now rather than at its first use. Its threads were created
/// by the first open's model build, on the way to the first diagnostics: the build's first
/// half began 0.3–0.5 ms after it was handed to the pool (median over interleaved lspbench
/// runs; 0.2–0.3 ms with the threads already there, which is a sleeping thread's wake-up).
/// Since the analysis thread works alone, the first user is an edit's parse beside its
/// analysis; started lazily, `initialize` was not clearly faster (fifteenth session).
pub fn start_pool() {
    // An error means the pool exists already: nothing to do.
    let _ = rayon::ThreadPoolBuilder::new().build_global();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{check, CheckOptions, Finding};

    const BIG: &str = include_str!("../../tests/fixtures/bench/Dockerfile.big");

    fn analyse() -> (crate::model::Model, Vec<Finding>) {
        let model = crate::model::build(BIG);
        let findings = check(&model, BIG, &CheckOptions::default());
        (model, findings)
    }

    #[test]
    fn working_alone_is_per_thread_and_changes_no_result() {
        let split = analyse();
        let alone = std::thread::spawn(|| {
            work_alone();
            assert!(!may_split());
            analyse()
        })
        .join()
        .expect("analysed");
        assert!(may_split());
        assert_eq!(alone.0, split.0);
        assert_eq!(alone.1, split.1);
        assert!(!alone.1.is_empty());
    }

    #[test]
    fn idle_time_work_waits_for_the_foreground_to_end() {
        let busy = Foreground::start();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            assert!(wait_for_quiet(|| false));
            let _ = tx.send(Instant::now());
        });
        // Still under way: the waiter must not go on.
        assert!(rx.recv_timeout(Duration::from_millis(30)).is_err());
        let ended = Instant::now();
        drop(busy);
        let went_on = rx
            .recv()
            .expect("the waiter went on once the foreground ended");
        assert!(went_on.duration_since(ended) >= QUIET);
        waiter.join().expect("no panic");
        // Told to give up: at once, busy or not.
        let _busy = Foreground::start();
        assert!(!wait_for_quiet(|| true));
    }
}
