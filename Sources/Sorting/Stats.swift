import FashionModel
import Foundation
import Results

/// Counters, carried over from the instance's previous run, and latencies since start, for status.json and
/// metrics.prom.
public struct Stats: Sendable {
    public var byStatus: [String: Int] = [:]
    public var byClass: [String: Int] = [:]
    public var duplicates = 0
    public var rejectedByKind: [String: Int] = [:]
    /// Milliseconds from arrival (event) to durable CSV row, the most recent 10,000.
    private var latencies: [Double] = []
    public let started = Date()
    /// Files counted before this start (the rate is of this run's files).
    private var carried = 0
    public var processed: Int { byStatus.values.reduce(0, +) }

    public init() {}

    /// Counting on from what a previous run of the same instance wrote: the counters outlive restarts.
    public init(continuing previous: DaemonStatus?, instance: String) {
        guard let previous, previous.instance == instance else { return }
        byStatus = previous.byStatus
        byClass = previous.byClass
        duplicates = previous.duplicates
        rejectedByKind = previous.rejectedByKind
        carried = previous.processed
    }

    public mutating func record(_ r: ResultRecord, latency: Double, kind: String?) {
        byStatus[r.status.rawValue, default: 0] += 1
        if let p = r.prediction, r.status != .other { byClass[p.best.label.slug, default: 0] += 1 }
        if !r.duplicateOf.isEmpty { duplicates += 1 }
        if let kind { rejectedByKind[kind, default: 0] += 1 }
        latencies.append(latency)
        if latencies.count > 10_000 { latencies.removeFirst(latencies.count - 10_000) }
    }

    /// Percentile of the recent latencies (nearest rank), 0 when none.
    public func latency(percentile p: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let s = latencies.sorted()
        let rank = min(s.count, max(1, Int((p / 100 * Double(s.count)).rounded(.up))))
        return s[rank - 1]
    }

    /// The status file's view of these counters.
    public func status(
        instance: String, state: DaemonStatus.State, model: String, queue: Int, error: String?,
        skippedFolders: Int = 0, now: Date = Date()
    ) -> DaemonStatus {
        let uptime = now.timeIntervalSince(started)
        func tenth(_ x: Double) -> Double { (x * 10).rounded() / 10 }
        return DaemonStatus(
            instance: instance, state: state, model: model, uptimeSeconds: Int(uptime), queueDepth: queue,
            processed: processed, byStatus: byStatus, byClass: byClass, rejectedByKind: rejectedByKind,
            duplicates: duplicates,
            filesPerSecond: uptime > 0 ? (Double(processed - carried) / uptime * 1000).rounded() / 1000 : 0,
            latencyMs: .init(p50: tenth(latency(percentile: 50)), p99: tenth(latency(percentile: 99))), error: error,
            skippedFolders: skippedFolders, updated: now)
    }
}
