//! Scheduling of the helper threads that must not slow down the ones a user waits on.

use std::cell::Cell;

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
}
