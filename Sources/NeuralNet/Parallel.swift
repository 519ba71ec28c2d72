import Dispatch

/// Splits work over the machine's cores. On this 2-core machine two threads
/// pay off only for large chunks (ARCHITECTURE.md), so callers split whole
/// batches, never single rows.
public enum Parallel {
    /// Worker count; `FASHIONSORT_THREADS` overrides the core count.
    nonisolated(unsafe) public static var threads: Int = {
        if let s = getenvString("FASHIONSORT_THREADS"), let n = Int(s), n > 0 { return n }
        return max(1, activeCores())
    }()

    /// Calls `body(part, range)` for `parts` contiguous slices of `0..<count`.
    public static func slices(_ count: Int, minimum: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let parts = max(1, min(threads, count / max(1, minimum)))
        if parts == 1 { body(0, 0..<count); return }
        withoutActuallyEscaping(body) { body in
            let part = { (p: Int) in body(p, count * p / parts..<count * (p + 1) / parts) }
            // A nested or concurrent call finds the pool busy and uses Dispatch.
            if pool.run(parts, part) { return }
            let work = UncheckedSendable(part)
            DispatchQueue.concurrentPerform(iterations: parts) { work.value($0) }
        }
    }

    private static let pool = WorkerPool(threads: threads)

    public static func partCount(_ count: Int, minimum: Int = 1) -> Int {
        max(1, min(threads, count / max(1, minimum)))
    }
}

/// Carries a value into `concurrentPerform`; unchecked, and safe because its workers touch disjoint data.
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// A raw pointer that may cross into `concurrentPerform` (Swift 6 rejects
/// capturing plain pointers in `@Sendable` closures); unchecked, and safe
/// because each worker writes a disjoint part.
public struct SendablePointer: @unchecked Sendable {
    public let p: UnsafeMutablePointer<Float>
    public init(_ p: UnsafeMutablePointer<Float>) { self.p = p }
}

#if canImport(Glibc)
    import Glibc
    private func activeCores() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
    func getenvString(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
#else
    import Darwin
    private func activeCores() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
    func getenvString(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
#endif

extension Parallel {
    /// Runs `body` over slices of `0..<count`, giving each worker private,
    /// zeroed gradient buffers (one per parameter), then adds them into the
    /// parameters' gradients. Summing afterwards keeps workers lock-free.
    public static func accumulating(
        _ count: Int, minimum: Int, into params: [Parameter],
        _ body: (Range<Int>, [UnsafeMutablePointer<Float>]) -> Void
    ) {
        let parts = partCount(count, minimum: minimum)
        let sizes = params.map { $0.grad.count }
        let total = sizes.reduce(0, +)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: parts * total)
        scratch.initialize(repeating: 0, count: parts * total)
        defer { scratch.deallocate() }
        let base = SendablePointer(scratch)
        slices(count, minimum: minimum) { part, range in
            var ptrs: [UnsafeMutablePointer<Float>] = []
            var offset = part * total
            for s in sizes { ptrs.append(base.p + offset); offset += s }
            body(range, ptrs)
        }
        var offset = 0
        for (i, param) in params.enumerated() {
            param.grad.data.withUnsafeMutableBufferPointer { g in
                for p in 0..<parts {
                    let src = scratch + p * total + offset
                    for j in 0..<sizes[i] { g[j] += src[j] }
                }
            }
            offset += sizes[i]
        }
    }
}

extension Parallel {
    /// Keeps freed tensor buffers in the heap instead of returning them to the
    /// kernel: otherwise every large activation costs fresh zeroed pages
    /// (page faults were 8% of a training step before this).
    /// One malloc arena for every thread: a long-running process with many
    /// threads (decoders, the concurrency pool, a filer queue) otherwise keeps
    /// the batch buffers each thread freed in an arena of its own.
    public static func useOneMallocArena() {
        #if canImport(Glibc)
            _ = c_mallopt(-8, 1)  // M_ARENA_MAX
        #endif
    }

    public static func retainFreedMemory() {
        #if canImport(Glibc)
            _ = c_mallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD
            _ = c_mallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        #endif
    }
}

#if canImport(Glibc)
    /// glibc's mallopt (malloc.h is not part of the Glibc module).
    @_silgen_name("mallopt") private func c_mallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
