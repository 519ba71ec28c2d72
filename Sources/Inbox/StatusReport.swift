import FashionModel
import Foundation

/// status.json and metrics.prom (for node_exporter's textfile collector),
/// both rewritten atomically so readers never see half a file.
public enum StatusReport {
    public static func json(_ s: Stats, queue: Int, model: String, instance: String, state: String) -> String {
        let uptime = Date().timeIntervalSince(s.started)
        func dict(_ d: [String: Int]) -> String {
            "{" + d.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        }
        return """
        {
          "instance": "\(instance)",
          "state": "\(state)",
          "model": "\(model)",
          "uptime_seconds": \(Int(uptime)),
          "queue_depth": \(queue),
          "processed": \(s.processed),
          "by_status": \(dict(s.byStatus)),
          "by_class": \(dict(s.byClass)),
          "rejected_by_kind": \(dict(s.rejectedByKind)),
          "duplicates": \(s.duplicates),
          "files_per_second": \(String(format: "%.3f", uptime > 0 ? Double(s.processed) / uptime : 0)),
          "latency_ms": {"p50": \(String(format: "%.1f", s.latency(percentile: 50))), "p99": \(String(format: "%.1f", s.latency(percentile: 99)))},
          "updated": "\(ISO8601DateFormatter().string(from: Date()))"
        }

        """
    }

    public static func prometheus(_ s: Stats, queue: Int, model: String, instance: String) -> String {
        var out = ""
        func metric(_ name: String, _ help: String, _ type: String, _ samples: [(String, Double)]) {
            out += "# HELP fashionsort_\(name) \(help)\n# TYPE fashionsort_\(name) \(type)\n"
            for (labels, v) in samples { out += "fashionsort_\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(v)\n" }
        }
        let inst = "instance_name=\"\(instance)\""
        metric("files_total", "Files recorded, by status.", "counter",
               ["classified", "review", "rejected"].map { ("\(inst),status=\"\($0)\"", Double(s.byStatus[$0] ?? 0)) })
        metric("class_total", "Files classified, by predicted class.", "counter",
               FashionClass.allCases.map { ("\(inst),class=\"\($0.slug)\"", Double(s.byClass[$0.slug] ?? 0)) })
        metric("duplicates_total", "Files whose content was seen before.", "counter", [(inst, Double(s.duplicates))])
        metric("queue_depth", "Files waiting in the queue.", "gauge", [(inst, Double(queue))])
        metric("latency_seconds", "Arrival to recorded CSV row, recent files.", "gauge",
               [("\(inst),quantile=\"0.5\"", s.latency(percentile: 50) / 1000), ("\(inst),quantile=\"0.99\"", s.latency(percentile: 99) / 1000)])
        metric("uptime_seconds", "Seconds since start.", "gauge", [(inst, Date().timeIntervalSince(s.started).rounded())])
        metric("model_info", "The model in use.", "gauge", [("\(inst),model=\"\(model)\"", 1)])
        return out
    }

    public static func write(_ s: Stats, queue: Int, model: String, layout: Layout, state: String) {
        try? AtomicFile.write(json(s, queue: queue, model: model, instance: layout.instance, state: state), to: layout.statusFile)
        try? AtomicFile.write(prometheus(s, queue: queue, model: model, instance: layout.instance), to: layout.metricsFile)
    }
}
