//! Thread priority for work nobody waits on yet.

/// Lower the calling thread's scheduling priority (Linux `nice` 10), so that on a machine
/// with few cores the work that publishes diagnostics runs first and this thread takes the
/// cores left over. Elsewhere, or if the call fails, nothing changes: it is only an order.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn lower_this_thread() {
    // SAFETY: `gettid` has no preconditions; `setpriority` on the calling thread's id
    // (Linux applies PRIO_PROCESS to one thread) only changes its nice value.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn lower_this_thread() {}
