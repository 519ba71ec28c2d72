import Dispatch
import FileSystem
import Synchronization

/// A file waiting to be processed and when it was first reported (for latency).
public struct QueuedFile: Sendable, Equatable {
    /// The path below the inbox as the filesystem holds it, names joined by `/` (they need not be UTF-8).
    /// Kept as bytes: two names that differ only in Unicode normalisation are two files, though Swift's
    /// `String` compares them equal.
    public var relative: [UInt8]
    /// `DispatchTime` uptime in nanoseconds.
    public var arrival: UInt64

    public init(relative: [UInt8], arrival: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        self.relative = relative
        self.arrival = arrival
    }

    public init(relative: String, arrival: UInt64 = DispatchTime.now().uptimeNanoseconds) {
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
        var waiter: CheckedContinuation<Void, Never>?

        var count: Int { order.count - head }

        mutating func wake() -> CheckedContinuation<Void, Never>? {
            defer { waiter = nil }
            return waiter
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds a path unless it is already waiting; false when it was.
    @discardableResult
    public func push(_ file: QueuedFile) -> Bool {
        let (added, waiter) = state.withLock { s -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !s.closed, !s.finished, s.queued.insert(file.relative).inserted else { return (false, nil) }
            s.order.append(file)
            return (true, s.wake())
        }
        waiter?.resume()
        return added
    }

    public var count: Int { state.withLock { $0.count } }

    /// Waits for a first file, then gathers whatever else arrives within
    /// `linger` (files dropped together share a forward pass). Nil once closed:
    /// what is still queued stays in the inbox for the next start.
    public func nextBatch(max: Int, linger: Duration = .milliseconds(3)) async -> [QueuedFile]? {
        while state.withLock({ $0.count == 0 && !$0.closed && !$0.finished }) && !Task.isCancelled {
            await withTaskCancellationHandler {
                await withCheckedContinuation { c in
                    let ready = state.withLock { s -> Bool in
                        if s.count > 0 || s.closed || s.finished { return true }
                        s.waiter = c
                        return false
                    }
                    if ready { c.resume() }
                }
            } onCancel: {
                state.withLock { $0.wake() }?.resume()
            }
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
        state.withLock { s in
            s.finished = true; return s.wake()
        }?.resume()
    }

    /// Refuses further pushes and wakes a waiting consumer.
    public func close() {
        state.withLock { s in
            s.closed = true; return s.wake()
        }?.resume()
    }
}
