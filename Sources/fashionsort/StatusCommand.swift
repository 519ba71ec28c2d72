import ArgumentParser
import Foundation
import Results

/// A person-readable view of the daemon's status.json.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show what a running fashionsortd has done (reads ROOT/status.json).")

    @OptionGroup var state: StateFolder

    func run() throws {
        let folder = state.folder, path = "\(folder)/status.json"
        let s: DaemonStatus
        do { s = try DaemonStatus.read(from: path) } catch {
            throw CLIError("\(error) (is fashionsortd running with root \(folder)?)")
        }
        let up = s.uptimeSeconds
        print(
            "fashionsortd \(s.instance) — \(s.state.rawValue), up \(up / 3600)h \(up / 60 % 60)m \(up % 60)s, model "
                + "\(s.model)"
        )
        print("updated \(s.updated.formatted(.iso8601))")
        if let error = s.error { print("error: \(error)") }
        let rate = String(format: "%.1f", s.filesPerSecond)
        print(
            "processed \(counted(s.processed, "file")) (\(rate) per second since start), queue \(s.queueDepth), "
                + "duplicates \(s.duplicates)")
        for (k, v) in s.byStatus.sorted(by: { $0.key < $1.key }) { print("  \(k.rightPad(12)) \(v)") }
        let classes = s.byClass.sorted { $0.value > $1.value }
        if !classes.isEmpty { print("by class: " + classes.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
        if !s.rejectedByKind.isEmpty {
            print(
                "rejected: "
                    + s.rejectedByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", "))
        }
        print("latency arrival → CSV row: p50 \(s.latencyMs.p50) ms, p99 \(s.latencyMs.p99) ms")
    }
}

/// `--root DIR` or `--instance NAME`: which daemon's state directory a command reads.
struct StateFolder: ParsableArguments {
    @Option(help: ArgumentHelp("The daemon's state directory.", valueName: "dir")) var root: String?
    @Option(
        help: ArgumentHelp(
            "A fashionsortd@NAME unit's instance: reads /var/lib/fashionsort/NAME.", valueName: "name"))
    var instance: String?

    func validate() throws {
        if root != nil && instance != nil { throw ValidationError("give --root or --instance, not both") }
        if let instance, instance.isEmpty || instance.contains("/") {
            throw ValidationError("--instance must be a plain name")
        }
    }

    var folder: String { root ?? instance.map { "/var/lib/fashionsort/\($0)" } ?? "/var/lib/fashionsort" }
}
