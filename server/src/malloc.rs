//! Allocator settings for the server process: glibc malloc's (Linux with glibc) and tree-sitter's.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
use std::sync::atomic::{AtomicUsize, Ordering};

/// A transparent huge page on x86-64 and arm64 (4 KB base pages).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HUGE_PAGE: usize = 2 << 20;

/// Set up the allocator for the server. Call before any other thread starts.
///
/// One arena: tokio's workers answer requests and the analysis runs on threads of its own,
/// and glibc gave each such thread an arena that kept what was freed in it (peak resident
/// memory on the 5,000-line stress file under lspbench: 74 → 49 MB at 4fd6f33). No
/// fastbins: with one arena, blocks freed by one thread were merged in bulk
/// (`malloc_consolidate`) by the next large allocation of the analysing thread, which
/// slowed the edits.
///
/// A huge-page heap: the first 32 MB of the heap are reserved at once and marked for
/// transparent huge pages. In a virtual machine each first touch of a 4 KB page costs
/// ~2.5 µs, and a fresh process's first open of the 5,000-line file touched ~1,600 of
/// them; in 2 MB pages, a handful. Blocks up to 64 MB come from the heap, and up to
/// 128 MB freed at its top stay mapped, so that the marked pages are used and kept.
pub fn tune_for_server() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt sets allocator parameters and the heap block is freed before any
    // other use; madvise only changes how pages of our own heap are backed.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MXFAST, 0);
        huge_page_heap();
    }
}

/// Have tree-sitter allocate from mimalloc's per-thread heaps. A document's first full
/// parse runs on a thread of its own after the diagnostics are out, while the next edits
/// are analysed; in the one malloc arena the two threads waited for each other's lock
/// (interleaved lspbench, 2 × 16 runs of 50 edits: edit p99 5.9 → 4.3 and 4.1 → 3.0 ms,
/// the first five edits 2.9 → 2.4 and 2.3 → 1.9 ms; peak RSS +4 MB). Call before
/// anything is parsed.
pub fn tree_sitter_on_mimalloc() {
    // SAFETY: nothing has been parsed yet, so every block tree-sitter frees from now on
    // was allocated by the same allocator; the binding frees the strings it receives from
    // the library with the `free` given here too.
    unsafe {
        tree_sitter::set_allocator(
            Some(libmimalloc_sys::mi_malloc),
            Some(libmimalloc_sys::mi_calloc),
            Some(libmimalloc_sys::mi_realloc),
            Some(libmimalloc_sys::mi_free),
        );
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
unsafe fn huge_page_heap() {
    const RESERVED: usize = 32 << 20;
    libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
    libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 20);
    // Grow the heap by the reserved size (untouched, so not resident) and give it back to
    // malloc's free top, where the next allocations are carved from.
    let block = libc::malloc(RESERVED);
    if block.is_null() {
        return;
    }
    let start = (block as usize).next_multiple_of(HUGE_PAGE);
    let end = (block as usize + RESERVED) / HUGE_PAGE * HUGE_PAGE;
    libc::free(block);
    if end > start {
        // Without transparent huge pages (`never`), this fails and nothing changes.
        libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        HEAP_START.store(start, Ordering::Relaxed);
        HEAP_LEN.store(end - start, Ordering::Relaxed);
    }
}

/// The huge-page heap's marked range (start 0: none, or taken by `prefault_heap`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
static HEAP_START: AtomicUsize = AtomicUsize::new(0);
#[cfg(all(target_os = "linux", target_env = "gnu"))]
static HEAP_LEN: AtomicUsize = AtomicUsize::new(0);

/// How much of the huge-page heap `prefault_heap` backs: what the 5,000-line file's open
/// touches (~4.7 MB live at most in its analysis, 9 huge-page faults), and a little more.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const PREFAULT: usize = 8 << 20;

/// Back the start of the huge-page heap with memory now, on a thread of its own, so that
/// the first document's analysis does not wait for it. A huge page's first touch has the
/// kernel zero 2 MB (0.2 ms here) and, when no free 2 MB block is at hand, compact memory
/// first (6–7 ms a page, seen on this kind of virtual machine): that came on the open's
/// way to its diagnostics, two or three times. Call once the runtime's threads exist
/// (`initialized`): creating a thread waits for the address space the population holds.
/// Only the first call does anything.
///
/// Only pages malloc hands out anyway are touched, and their contents are not (the
/// kernel backs them; `MADV_POPULATE_WRITE`, Linux 5.14, else nothing happens).
pub fn prefault_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // Taking the start makes this the only call that populates.
        let start = HEAP_START.swap(0, Ordering::Relaxed);
        if start == 0 {
            return;
        }
        let len = HEAP_LEN.load(Ordering::Relaxed).min(PREFAULT);
        let spawned = std::thread::Builder::new()
            .name("prefault".to_string())
            .stack_size(64 * 1024)
            .spawn(move || {
                // A huge page at a time: the address space is held only that long.
                for at in (0..len).step_by(HUGE_PAGE) {
                    let page = (start + at) as *mut libc::c_void;
                    // SAFETY: the range lies in our own heap (reserved above); populating
                    // it backs its pages without changing what they hold.
                    let done = unsafe {
                        libc::madvise(page, HUGE_PAGE.min(len - at), libc::MADV_POPULATE_WRITE)
                    };
                    if done != 0 {
                        return;
                    }
                }
            });
        // Without the thread, the pages are backed when first used, as before.
        drop(spawned);
    }
}
