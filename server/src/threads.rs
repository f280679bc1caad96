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
