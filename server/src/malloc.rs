//! Allocator settings for the server process: glibc malloc's (Linux with glibc) and tree-sitter's.

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
    const HUGE_PAGE: usize = 2 << 20;
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
    }
}
