#if canImport(Glibc)
import Glibc
#endif

/// Keeps a long-running process's resident memory near its working set. By default glibc gives
/// every allocating thread its own arena (up to eight per core) and, after the first large block
/// is freed, raises its mmap threshold, so later fetch buffers land in those arenas and stay
/// resident after they are freed.
enum MemoryBudget {
    static func applyToLongRunningProcess() {
        #if canImport(Glibc)
        // mallopt is declared in <malloc.h>, which the Glibc module does not import.
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        let arenaMax: Int32 = -8, mmapThreshold: Int32 = -3, trimThreshold: Int32 = -1  // <malloc.h> M_*
        _ = mallopt(arenaMax, 2)
        // A fixed threshold: blocks of 128 KiB and more (fetch responses, record batches) are
        // mapped on their own and returned to the system when freed.
        _ = mallopt(mmapThreshold, 128 * 1024)
        _ = mallopt(trimThreshold, 256 * 1024)
        #endif
    }
}
