#if canImport(Glibc)
import Glibc
#endif

/// Keeps a long-running process's resident memory near its working set. By default glibc gives
/// every allocating thread its own arena (up to eight per core) and, after the first large block
/// is freed, raises its mmap threshold, so later fetch buffers land in those arenas and stay
/// resident after they are freed.
public enum MemoryBudget {
    /// Returns whether glibc took every setting (mallopt returns 1 for each).
    @discardableResult
    public static func applyToLongRunningProcess() -> Bool {
        // A fixed threshold: blocks of 128 KiB and more (fetch responses, record batches) are
        // mapped on their own and returned to the system when freed.
        set(arenaMax: 2, mmapThreshold: 128 * 1024, trimThreshold: 256 * 1024)
    }

    /// For throughput tools (producing or consuming from standard streams), which move megabytes a second for a short while:
    /// freed request and stdin buffers are kept for reuse instead of being returned to the system
    /// and faulted in again (a third of produce's page faults).
    @discardableResult
    public static func applyToThroughputTool() -> Bool {
        set(arenaMax: 2, mmapThreshold: 16 << 20, trimThreshold: 64 << 20)
    }

    private static func set(arenaMax: Int32, mmapThreshold: Int32, trimThreshold: Int32) -> Bool {
        #if canImport(Glibc)
        // mallopt is declared in <malloc.h>, which the Glibc module does not import.
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        let (M_ARENA_MAX, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD): (Int32, Int32, Int32) = (-8, -3, -1)  // <malloc.h>
        return [mallopt(M_ARENA_MAX, arenaMax), mallopt(M_MMAP_THRESHOLD, mmapThreshold), mallopt(M_TRIM_THRESHOLD, trimThreshold)] == [1, 1, 1]
        #else
        return false
        #endif
    }
}
