import Foundation

/// Paths waiting to be processed, in arrival order, each at most once.
public final class PendingQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var order: [String] = []
    private var arrivals: [String: UInt64] = [:]
    private var queued: Set<String> = []
    private var closed = false

    public init() {}

    /// Adds a path unless it is already waiting; false when it was.
    @discardableResult
    public func push(_ path: String, at time: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Bool {
        condition.lock(); defer { condition.unlock() }
        guard !closed, queued.insert(path).inserted else { return false }
        order.append(path)
        arrivals[path] = time
        condition.signal()
        return true
    }

    public var count: Int { condition.lock(); defer { condition.unlock() }; return order.count }

    /// Waits up to `timeout` for a first path, then gathers whatever else
    /// arrives within `linger` (files dropped together share a forward pass).
    public func popBatch(max: Int, timeout: Double, linger: Double) -> [(path: String, arrival: UInt64)] {
        condition.lock(); defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while order.isEmpty && !closed { if !condition.wait(until: deadline) { break } }
        if !order.isEmpty && order.count < max && linger > 0 {
            let until = Date(timeIntervalSinceNow: linger)
            while order.count < max && !closed { if !condition.wait(until: until) { break } }
        }
        let batch = Array(order.prefix(max))
        order.removeFirst(batch.count)
        for p in batch { queued.remove(p) }
        return batch.map { ($0, arrivals.removeValue(forKey: $0) ?? 0) }
    }

    /// Wakes a waiting consumer and refuses further pushes.
    public func close() {
        condition.lock(); closed = true; condition.broadcast(); condition.unlock()
    }
}
