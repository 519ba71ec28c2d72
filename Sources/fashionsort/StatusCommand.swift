import ArgumentParser
import Foundation

/// A person-readable view of the daemon's status.json.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show what a running fashionsortd has done (reads ROOT/status.json).")

    @Option(name: .long, help: "The daemon's state directory.") var root = "/var/lib/fashionsort"

    func run() throws {
        let path = "\(root)/status.json"
        guard let data = FileManager.default.contents(atPath: path),
              let s = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw CLIError("\(path): no readable status (is fashionsortd running with --root \(root)?)") }
        func n(_ k: String) -> Int { (s[k] as? NSNumber)?.intValue ?? 0 }
        func d(_ k: String) -> [String: Int] { ((s[k] as? [String: Any]) ?? [:]).mapValues { ($0 as? NSNumber)?.intValue ?? 0 } }
        let latency = (s["latency_ms"] as? [String: Any]) ?? [:]
        let up = n("uptime_seconds")
        print("fashionsortd \(s["instance"] ?? "?") — \(s["state"] ?? "?"), up \(up / 3600)h \(up / 60 % 60)m \(up % 60)s, model \(s["model"] ?? "?")")
        print("updated \(s["updated"] ?? "?")")
        let rate = (s["files_per_second"] as? NSNumber)?.doubleValue ?? 0
        print("processed \(counted(n("processed"), "file")) (\(String(format: "%.1f", rate)) per second since start), queue \(n("queue_depth")), duplicates \(n("duplicates"))")
        for (k, v) in d("by_status").sorted(by: { $0.key < $1.key }) { print("  \(k.padding(toLength: 12, withPad: " ", startingAt: 0)) \(v)") }
        let classes = d("by_class").sorted { $0.value > $1.value }
        if !classes.isEmpty { print("by class: " + classes.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
        let rejected = d("rejected_by_kind")
        if !rejected.isEmpty { print("rejected: " + rejected.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
        print("latency arrival → CSV row: p50 \(latency["p50"] ?? 0) ms, p99 \(latency["p99"] ?? 0) ms")
    }
}
