//! How much memory the engine holds, counted by the allocator: the measure behind the
//! memory budget (`Budget::max_statement_memory`, `Budget::max_total_memory`).
//!
//! GlueSQL materialises what it sorts, joins and groups inside its executor, out of our
//! storage layer's sight; only the allocator sees all of it. [`CountingAllocator`] wraps
//! the system allocator and keeps, per thread, the bytes live and the highest that figure
//! reached since [`start_peak`]. Per thread, because native tests run statements on many
//! threads at once; in the browser there is one thread, so it is the whole page.
//!
//! In wasm, linear memory never shrinks: what a statement allocated and freed stays
//! reserved, for reuse by the next. So the budget stops a statement *while* it grows, at
//! the row checks of the probe, before it reserves gigabytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

/// The system allocator, counting what it hands out on this thread.
pub struct CountingAllocator;

fn grow(bytes: isize) {
    // `try_with`: a thread's locals may be gone while it exits; then nothing is counted.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + bytes;
        live.set(now);
        let _ = PEAK.try_with(|peak| {
            if now > peak.get() {
                peak.set(now);
            }
        });
    });
}

fn size(layout: Layout) -> isize {
    isize::try_from(layout.size()).unwrap_or(isize::MAX)
}

// SAFETY: every method forwards to `System` with the same arguments; the counting touches
// only const-initialised thread locals without destructors, which never allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grow(size(layout));
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grow(size(layout));
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        grow(-size(layout));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            grow(isize::try_from(new_size).unwrap_or(isize::MAX) - size(layout));
        }
        new
    }
}

/// Bytes allocated on this thread and not yet freed (0 if the counting allocator is not
/// the program's allocator). Can be off by what other threads freed of this one's.
pub fn live_bytes() -> u64 {
    u64::try_from(LIVE.try_with(Cell::get).unwrap_or(0)).unwrap_or(0)
}

/// Starts a new peak: from now, [`peak_bytes`] is the most live at once.
pub fn start_peak() {
    let live = LIVE.try_with(Cell::get).unwrap_or(0);
    let _ = PEAK.try_with(|peak| peak.set(live));
}

/// The most bytes live at once since [`start_peak`].
pub fn peak_bytes() -> u64 {
    u64::try_from(PEAK.try_with(Cell::get).unwrap_or(0)).unwrap_or(0)
}

/// `268435456` as `256 MB`, `1073741824` as `1.0 GB` (binary units, as browsers report
/// memory).
pub fn format_bytes(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    let mb = bytes as f64 / MB;
    if mb >= 1024.0 {
        format!("{:.1} GB", mb / 1024.0)
    } else if mb >= 10.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allocator_counts_what_is_live_and_the_peak() {
        start_peak();
        let before = live_bytes();
        let block = vec![0u8; 8 << 20];
        assert!(live_bytes() >= before + (8 << 20));
        drop(block);
        assert!(live_bytes() < before + (1 << 20));
        assert!(peak_bytes() >= before + (8 << 20));
        start_peak();
        assert!(peak_bytes() < before + (1 << 20));
    }

    #[test]
    fn sizes_read_as_browsers_report_them() {
        assert_eq!(format_bytes(256 << 20), "256 MB");
        assert_eq!(format_bytes(3 << 19), "1.5 MB");
        assert_eq!(format_bytes(1 << 30), "1.0 GB");
    }
}
