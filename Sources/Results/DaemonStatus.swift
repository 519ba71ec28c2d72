import FashionModel
import FileSystem
import Foundation

/// What a running daemon has done: written as ROOT/status.json by `fashionsortd`
/// and read back by `fashionsort status`.
public struct DaemonStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case starting, running, stopped }

    public struct Latency: Codable, Sendable, Equatable {
        /// Milliseconds from arrival to the durable CSV row.
        public var p50: Double, p99: Double
        public init(p50: Double, p99: Double) { self.p50 = p50; self.p99 = p99 }
    }

    public var instance: String
    public var state: State
    public var model: String
    public var uptimeSeconds: Int
    public var queueDepth: Int
    public var processed: Int
    /// Rows by CSV `status` (`classified`, `review`, `other`, `rejected`).
    public var byStatus: [String: Int]
    /// Classified and review rows by predicted class slug.
    public var byClass: [String: Int]
    public var rejectedByKind: [String: Int]
    public var duplicates: Int
    public var filesPerSecond: Double
    public var latencyMs: Latency
    /// Set while the daemon cannot record or file (e.g. a full disk); nil when all is well.
    public var error: String?
    /// Folders in a non-recursive inbox, whose files are not processed (nil in files of older versions).
    public var skippedFolders: Int?
    public var updated: Date

    public init(
        instance: String, state: State, model: String, uptimeSeconds: Int, queueDepth: Int, processed: Int,
        byStatus: [String: Int], byClass: [String: Int], rejectedByKind: [String: Int], duplicates: Int,
        filesPerSecond: Double, latencyMs: Latency, error: String? = nil, skippedFolders: Int? = nil,
        updated: Date = Date()
    ) {
        self.instance = instance; self.state = state; self.model = model; self.uptimeSeconds = uptimeSeconds
        self.queueDepth = queueDepth; self.processed = processed; self.byStatus = byStatus; self.byClass = byClass
        self.rejectedByKind = rejectedByKind; self.duplicates = duplicates; self.filesPerSecond = filesPerSecond
        self.latencyMs = latencyMs; self.error = error; self.skippedFolders = skippedFolders; self.updated = updated
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }()

    public func json() -> [UInt8] { Array((try? Self.encoder.encode(self)) ?? Data()) + [0x0A] }

    public static func decode(_ bytes: [UInt8]) throws -> DaemonStatus {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        return try d.decode(DaemonStatus.self, from: Data(bytes))
    }

    /// Reads a status file, naming the file in the error.
    public static func read(from path: String) throws(FileSystemError) -> DaemonStatus {
        let bytes = try FileBytes.read(path)
        do { return try decode(bytes) } catch {
            throw FileSystemError(path: path, reason: "not a fashionsortd status file: \(error)")
        }
    }

    /// The Prometheus text format, for node_exporter's textfile collector.
    public func prometheus() -> String {
        var out = ""
        func metric(_ name: String, _ help: String, _ type: String, _ samples: [(String, Double)]) {
            out += "# HELP fashionsort_\(name) \(help)\n# TYPE fashionsort_\(name) \(type)\n"
            for (labels, v) in samples { out += "fashionsort_\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(v)\n" }
        }
        let inst = "instance_name=\"\(Self.escapeLabel(instance))\""
        metric(
            "files_total", "Files recorded, by status.", "counter",
            ResultRecord.Status.allCases.map { ("\(inst),status=\"\($0)\"", Double(byStatus[$0.rawValue] ?? 0)) })
        metric(
            "class_total", "Files classified, by predicted class.", "counter",
            FashionClass.allCases.map { ("\(inst),class=\"\($0.slug)\"", Double(byClass[$0.slug] ?? 0)) })
        metric("duplicates_total", "Files whose content was seen before.", "counter", [(inst, Double(duplicates))])
        metric("queue_depth", "Files waiting in the queue.", "gauge", [(inst, Double(queueDepth))])
        metric(
            "latency_seconds", "Arrival to recorded CSV row, recent files.", "gauge",
            [("\(inst),quantile=\"0.5\"", latencyMs.p50 / 1000), ("\(inst),quantile=\"0.99\"", latencyMs.p99 / 1000)])
        metric("uptime_seconds", "Seconds since start.", "gauge", [(inst, Double(uptimeSeconds))])
        metric("error", "1 while the daemon cannot record or file.", "gauge", [(inst, error == nil ? 0 : 1)])
        metric(
            "skipped_folders", "Folders in a non-recursive inbox, whose files are not processed.", "gauge",
            [(inst, Double(skippedFolders ?? 0))])
        metric("model_info", "The model in use.", "gauge", [("\(inst),model=\"\(Self.escapeLabel(model))\"", 1)])
        return out
    }

    /// Writes status.json and metrics.prom atomically, so readers never see half a file.
    public func write(status: String, metrics: String) throws(FileSystemError) {
        try AtomicFile.write(json(), to: status)
        try AtomicFile.write(prometheus(), to: metrics)
    }

    static func escapeLabel(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
