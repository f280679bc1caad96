//! Scheduling of the helper threads that must not slow down the ones a user waits on.

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
