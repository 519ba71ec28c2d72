import FashionModel
import Foundation
import Results

/// Counters and latencies since start, for status.json and metrics.prom.
public struct Stats: Sendable {
    public var byStatus: [String: Int] = [:]
    public var byClass: [String: Int] = [:]
    public var duplicates = 0
    public var rejectedByKind: [String: Int] = [:]
    /// Milliseconds from arrival (event) to durable CSV row, the most recent 10,000.
    private var latencies: [Double] = []
    public let started = Date()
    public var processed: Int { byStatus.values.reduce(0, +) }

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
        instance: String, state: DaemonStatus.State, model: String, queue: Int, error: String?, now: Date = Date()
    ) -> DaemonStatus {
        let uptime = now.timeIntervalSince(started)
        func tenth(_ x: Double) -> Double { (x * 10).rounded() / 10 }
        return DaemonStatus(
            instance: instance, state: state, model: model, uptimeSeconds: Int(uptime), queueDepth: queue,
            processed: processed, byStatus: byStatus, byClass: byClass, rejectedByKind: rejectedByKind,
            duplicates: duplicates,
            filesPerSecond: uptime > 0 ? (Double(processed) / uptime * 1000).rounded() / 1000 : 0,
            latencyMs: .init(p50: tenth(latency(percentile: 50)), p99: tenth(latency(percentile: 99))), error: error,
            updated: now)
    }
}
