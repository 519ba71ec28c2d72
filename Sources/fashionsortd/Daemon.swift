import ArgumentParser
import FashionModel
import Foundation
import Inbox
import Logging
import NeuralNet

@main
struct Daemon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashionsortd",
        abstract: "Watch an inbox folder, classify each photo once, record it in a CSV and file it by class.",
        discussion: """
        Settings come from flags, then FASHIONSORT_* environment variables (e.g. FASHIONSORT_ROOT), then
        --config FILE (flat YAML), then defaults. SIGTERM/SIGINT drain and exit; SIGHUP reloads model and config.
        """)

    @Option(name: .long, help: "State directory holding inbox/, work/, out/, review/, rejected/, results/.") var root: String?
    @Option(name: .long, help: "Inbox folder (default ROOT/inbox).") var inbox: String?
    @Option(name: .long, help: "Model checkpoint (default: the shipped model).") var model: String?
    @Option(name: .long, help: "Below this confidence a photo goes to review/<class>/.") var reviewThreshold: Float?
    @Option(name: .long, help: "Poll every SECONDS instead of inotify (network filesystems).") var poll: Double?
    @Flag(name: .long, help: "Also watch subfolders of the inbox, including new ones.") var recursive = false
    @Option(name: .long, help: "Instance name for work/ and results files (default: host name).") var instance: String?
    @Option(name: .long, help: "Files per forward pass at most.") var batch: Int?
    @Option(name: .long, help: "Flat YAML configuration file.") var config: String?

    static func main() {
        // Before any thread exists, so every thread inherits the mask.
        Service.blockSignals()
        main(nil)
    }

    func resolve() throws -> Configuration {
        var c = Configuration()
        if let config { try c.load(yaml: config) }
        try c.load(environment: ProcessInfo.processInfo.environment)
        if let root { c.root = root }
        if let inbox { c.inbox = inbox }
        if let model { c.model = model }
        if let reviewThreshold { c.reviewThreshold = reviewThreshold }
        if let poll { c.poll = poll }
        if recursive { c.recursive = true }
        if let instance { c.instance = instance }
        if let batch { c.batch = batch }
        try c.validate()
        return c
    }

    func run() throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "fashionsortd")
        logger.logLevel = .info
        do {
            try Service(configuration: try resolve(), reload: { try resolve() }, logger: logger).run()
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
    }
}
