//! Scheduling of the helper threads that must not slow down the ones a user waits on.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

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

/// Start rayon's global pool now rather than at its first use. Its threads were created
/// by the first open's model build, on the way to the first diagnostics: the build's first
/// half began 0.3–0.5 ms after it was handed to the pool (median over interleaved lspbench
/// runs; 0.2–0.3 ms with the threads already there, which is a sleeping thread's wake-up).
pub fn start_pool() {
    // An error means the pool exists already: nothing to do.
    let _ = rayon::ThreadPoolBuilder::new().build_global();
}

/// Foreground work under way: analyses whose diagnostics someone waits for. Background
/// work (a document's first full parse) steps aside while there is any.
static FOREGROUND: Foreground = Foreground {
    running: AtomicUsize::new(0),
    lock: Mutex::new(()),
    idle: Condvar::new(),
};

struct Foreground {
    running: AtomicUsize,
    lock: Mutex<()>,
    idle: Condvar,
}

/// Marks foreground work as under way until dropped.
#[must_use]
pub struct ForegroundWork(());

/// Foreground work begins; it ends when the result is dropped. Never hold it while
/// waiting for background work.
pub fn foreground() -> ForegroundWork {
    FOREGROUND.running.fetch_add(1, Ordering::SeqCst);
    ForegroundWork(())
}

impl Drop for ForegroundWork {
    fn drop(&mut self) {
        if FOREGROUND.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            // Under the lock: a waiter checks and starts waiting under it, so it cannot
            // miss this.
            let _guard = FOREGROUND.lock.lock().unwrap_or_else(|e| e.into_inner());
            FOREGROUND.idle.notify_all();
        }
    }
}

/// Background work's side: wait while foreground work is under way, for at most a
/// budget in all, so that a stream of foreground work cannot starve it.
pub struct StepAside {
    left: Duration,
}

impl StepAside {
    pub fn with_budget(budget: Duration) -> StepAside {
        StepAside { left: budget }
    }

    /// Wait until no foreground work is under way (or the budget is spent).
    pub fn now(&mut self) {
        if FOREGROUND.running.load(Ordering::Relaxed) == 0 || self.left.is_zero() {
            return;
        }
        let start = Instant::now();
        let mut guard = FOREGROUND.lock.lock().unwrap_or_else(|e| e.into_inner());
        while FOREGROUND.running.load(Ordering::SeqCst) > 0 {
            let spent = start.elapsed();
            let Some(left) = self.left.checked_sub(spent).filter(|l| !l.is_zero()) else {
                break;
            };
            guard = match FOREGROUND.idle.wait_timeout(guard, left) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
        drop(guard);
        self.left = self.left.saturating_sub(start.elapsed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_work_waits_for_foreground_work_to_end() {
        let work = foreground();
        let waiter = std::thread::spawn(|| {
            let start = Instant::now();
            StepAside::with_budget(Duration::from_secs(10)).now();
            start.elapsed()
        });
        std::thread::sleep(Duration::from_millis(50));
        drop(work);
        let waited = waiter.join().expect("the waiter");
        assert!(waited >= Duration::from_millis(40), "waited {waited:?}");
    }

    #[test]
    fn background_work_waits_no_longer_than_its_budget() {
        let _work = foreground();
        let mut aside = StepAside::with_budget(Duration::from_millis(20));
        aside.now();
        // Spent: the next pause returns at once.
        let start = Instant::now();
        aside.now();
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(aside.left.is_zero());
    }
}
