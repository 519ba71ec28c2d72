import FashionModel
import Foundation

/// Counters and latencies for status.json and metrics.prom.
public struct Stats: Sendable {
    public var byStatus: [String: Int] = [:]
    public var byClass: [String: Int] = [:]
    public var duplicates = 0
    public var rejectedByKind: [String: Int] = [:]
    /// Milliseconds from arrival (event) to durable CSV row, most recent first-in.
    private var latencies: [Double] = []
    public let started = Date()
    public var processed: Int { byStatus.values.reduce(0, +) }

    public mutating func record(_ r: ResultRecord, latency: Double, kind: String?) {
        byStatus[r.status.rawValue, default: 0] += 1
        if let p = r.prediction { byClass[p.best.label.slug, default: 0] += 1 }
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
}
