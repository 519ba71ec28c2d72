import FileSystem
import Glibc
import Synchronization

/// The monotonic clock in nanoseconds: when a file arrived, for latencies.
public enum Monotonic {
    public static func nanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}

/// A file waiting to be processed and when it was first reported (for latency).
public struct QueuedFile: Sendable, Equatable {
    /// The path below the inbox as the filesystem holds it, names joined by `/` (they need not be UTF-8).
    /// Kept as bytes: two names that differ only in Unicode normalisation are two files, though Swift's
    /// `String` compares them equal.
    public var relative: [UInt8]
    /// `Monotonic.nanoseconds()` when it was first reported.
    public var arrival: UInt64

    public init(relative: [UInt8], arrival: UInt64 = Monotonic.nanoseconds()) {
        self.relative = relative
        self.arrival = arrival
    }

    public init(relative: String, arrival: UInt64 = Monotonic.nanoseconds()) {
        self.init(relative: Array(relative.utf8), arrival: arrival)
    }

    /// The names from the inbox down to the file.
    public var components: [[UInt8]] { relative.split(separator: 0x2F).map(Array.init) }

    /// The path below the inbox as text (`FileName.text` of each name), as the CSV's `file` column has it.
    public var text: String { components.map(FileName.text).joined(separator: "/") }
}

/// Paths waiting to be processed, in arrival order, each at most once.
public final class PendingQueue: Sendable {
    private struct State {
        var order: [QueuedFile] = []
        var head = 0
        var queued: Set<[UInt8]> = []
        var closed = false
        /// No more files will come: hand out what is queued, then end.
        var finished = false

        var count: Int { order.count - head }
    }

    private let state = Mutex(State())
    /// A push, a finish or a close wakes the one consumer waiting in `nextBatch` (at most one wake-up is
    /// kept: the consumer looks at the state, not at how many there were).
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init() {
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds a path unless it is already waiting; false when it was.
    @discardableResult
    public func push(_ file: QueuedFile) -> Bool {
        let added = state.withLock { s -> Bool in
            guard !s.closed, !s.finished, s.queued.insert(file.relative).inserted else { return false }
            s.order.append(file)
            return true
        }
        if added { wake.yield() }
        return added
    }

    public var count: Int { state.withLock { $0.count } }

    /// Waits for a first file, then gathers whatever else arrives within
    /// `linger` (files dropped together share a forward pass). Nil once closed:
    /// what is still queued stays in the inbox for the next start. One consumer at a time.
    public func nextBatch(max: Int, linger: Duration = .milliseconds(3)) async -> [QueuedFile]? {
        while state.withLock({ $0.count == 0 && !$0.closed && !$0.finished }) && !Task.isCancelled {
            for await _ in wakes { break }  // ends at once when the task is cancelled
        }
        if state.withLock({ $0.count > 0 && $0.count < max && !$0.closed && !$0.finished }) {
            try? await Task.sleep(for: linger)
        }
        return state.withLock { s -> [QueuedFile]? in
            guard s.count > 0, !s.closed else { return nil }
            let batch = Array(s.order[s.head..<min(s.order.count, s.head + max)])
            s.head += batch.count
            if s.head > 4096 && s.head * 2 > s.order.count { s.order.removeFirst(s.head); s.head = 0 }
            for f in batch { s.queued.remove(f.relative) }
            return batch
        }
    }

    /// No more files will come: what is queued is still handed out, then `nextBatch` returns nil.
    public func finish() {
        state.withLock { $0.finished = true }
        wake.yield()
    }

    /// Refuses further pushes and wakes a waiting consumer.
    public func close() {
        state.withLock { $0.closed = true }
        wake.yield()
    }
}
