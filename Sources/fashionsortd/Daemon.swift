import ArgumentParser
import FashionModel
import Foundation
import ImageIntake
import Inbox
import Sorting
import Logging
import NeuralNet
import ServiceLifecycle
import Synchronization
import UnixSignals

@main
struct Daemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashionsortd",
        abstract: "Watch an inbox folder, classify each photo once, record it in a CSV and file it by class.",
        discussion: """
            Each setting is read from its flag, else its FASHIONSORT_* environment variable, else the \
            --config YAML file (same names as the flags, e.g. 'review-threshold: 0.7'), else its default. \
            SIGTERM or SIGINT: finish the batch in flight, then stop. SIGHUP: re-read the settings and the model.
            Exit status: 0 after a stop by signal, 1 when a setting, folder or the model cannot be used.

            SETTINGS:

            """ + DaemonSettings.all.map(\.helpLine).joined(separator: "\n"))

    /// A flag of our own rather than the configuration's `version:`, which would hash the model at every start.
    @Flag(help: "Show the version and the default model's id.") var version = false
    @Option(help: ArgumentHelp("Flat YAML file of settings (key: value).", valueName: "file"))
    var config: String?
    /// The settings' flags (`--batch 8`, `--batch=8`, `--recursive`), read by the one table of settings
    /// (`DaemonSettings.all`), which `--help` lists below.
    @Argument(parsing: .allUnrecognized, help: .hidden) var settingFlags: [String] = []

    /// Blocks the stop and reload signals before any thread exists, so every
    /// thread inherits the mask and a signal stays pending until the service
    /// group's signal sources read it, however early it comes.
    static func main() async {
        Parallel.useOneMallocArena()
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        do {
            var command = try parseAsRoot()
            if let daemon = command as? Daemon { try await daemon.run() } else { try command.run() }
        } catch {
            exit(withError: error)
        }
    }

    var reader: SettingsReader {
        get throws { SettingsReader(flags: try Self.flags(settingFlags), file: config) }
    }

    func validate() throws { _ = try Self.flags(settingFlags) }

    /// `--key value`, `--key=value` and `--flag` by the table of settings; anything else is refused by name.
    static func flags(_ arguments: [String]) throws -> [String: String] {
        var flags: [String: String] = [:], rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else { throw ValidationError("Unexpected argument '\(argument)'") }
            let (name, inline) = argument.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
                .splitFirst()
            guard let setting = DaemonSettings.all.first(where: { $0.key == name }) else {
                throw ValidationError(
                    "Unknown option '--\(name)' (settings: \(DaemonSettings.keys.joined(separator: ", ")))")
            }
            if !setting.takesValue {
                flags[name] = inline ?? "true"
            } else if let value = inline ?? rest.popFirst() {
                flags[name] = value
            } else {
                throw ValidationError("Missing value for '--\(name)'")
            }
        }
        return flags
    }

    func run() async throws {
        if version { return print(Version.text) }
        LoggingSystem.bootstrap { _ in DaemonLogHandler() }
        let logger = Logger(label: "fashionsortd")
        let notifier = SystemdNotifier()
        do {
            let reader = try self.reader
            let settings = try await reader.read()
            logger.notice(
                "starting",
                metadata: Logger.Metadata(
                    uniqueKeysWithValues: settings.values.map {
                        ($0.key, "\($0.value)")
                    }))
            for note in settings.overridden { logger.notice("setting overridden", metadata: ["setting": "\(note)"]) }
            let services = try DaemonServices(settings: settings, notifier: notifier, logger: logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: [
                        .init(service: services.status),
                        .init(
                            service: ReloadService(
                                reader: reader, settings: settings, daemon: services, notifier: notifier, logger: logger
                            )),
                        .init(service: services.watcher),
                        .init(service: services.pipeline),
                        .init(service: StoppingNotice(notifier: notifier, logger: logger)),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
            let processed = await services.pipeline.recorder.stats.processed
            logger.notice("stopped", metadata: ["processed": "\(processed)"])
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
    }
}

/// The services of one daemon, built from its settings, and what a reload may change in them.
final class DaemonServices: Sendable {
    let layout: Layout
    let pipeline: Pipeline
    let watcher: InboxWatcher
    let status: StatusWriter
    private let model = Mutex("")
    /// Held until the process ends.
    private let lock: InstanceLock

    init(settings s: DaemonSettings, notifier: SystemdNotifier, logger: Logger) throws {
        layout = Layout(root: s.root, instance: s.instance, inbox: s.inbox)
        for folder in try layout.create() {
            logger.notice(
                "folder no longer writable by group or others: only inbox/ is", metadata: ["folder": "\(folder)"])
        }
        try layout.checkNoFeedbackLoop(recursive: s.recursive)
        lock = try InstanceLock(layout)
        let loaded = try Model(contentsOf: s.modelPath)
        if let problem = loaded.sanityProblem() { throw InboxError.model(path: s.modelPath, reason: problem) }
        let inbox = layout.inbox
        watcher = InboxWatcher(folder: inbox, options: Self.watcherOptions(s), logger: logger) {
            notifier.notify("READY=1\nSTATUS=watching \(inbox)\nMAINPID=\(getpid())")
            // The thresholds in effect: the model's stored operating point unless a setting outranks it.
            let point = loaded.decision.overriding(
                other: s.otherThreshold, review: s.reviewThreshold, noneOfThese: s.noneOfTheseThreshold)
            var metadata: Logger.Metadata = [
                "model": "\(loaded.id)", "other-below": "\(point.other)", "review-below": "\(point.review)",
            ]
            metadata["other-from-none-of-these"] = point.noneOfThese.map { .string("\($0)") }
            logger.notice("ready", metadata: metadata)
        }
        watcher.watch(file: s.modelPath)  // the model file's changes come through the inbox's watch
        pipeline = try Pipeline(
            layout: layout, model: loaded, options: Self.pipelineOptions(s), files: watcher.files, logger: logger)
        status = StatusWriter(
            layout: layout, pipeline: pipeline, notifier: notifier, interval: s.statusInterval,
            skippedFolders: { [watcher] in watcher.skippedFolderCount }, logger: logger)
        model.withLock { $0 = s.modelPath }
    }

    /// The model file being watched for changes.
    var modelPath: String {
        get { model.withLock { $0 } }
        set { model.withLock { $0 = newValue } }
    }

    /// Settings that can change while running take effect from the next batch or scan.
    func apply(_ s: DaemonSettings) {
        pipeline.update(options: Self.pipelineOptions(s))
        watcher.update(Self.watcherOptions(s))
        status.update(interval: s.statusInterval)
    }

    static func pipelineOptions(_ s: DaemonSettings) -> Pipeline.Options {
        var o = Pipeline.Options()
        o.reviewThreshold = s.reviewThreshold
        o.otherThreshold = s.otherThreshold
        o.noneOfTheseThreshold = s.noneOfTheseThreshold
        o.batch = s.batch
        o.limits.maxFileBytes = s.maxFileSize << 20
        o.settle = s.settle
        return o
    }

    static func watcherOptions(_ s: DaemonSettings) -> InboxWatcher.Options {
        var o = InboxWatcher.Options()
        o.recursive = s.recursive
        o.poll = s.poll
        o.settle = s.settle
        o.rescanInterval = s.rescanInterval
        return o
    }
}

/// The last service, so the first told of a graceful shutdown: tells systemd and the log.
struct StoppingNotice: Service {
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        notifier.notify("STOPPING=1")
        logger.notice("stopping: finishing the batch in flight")
    }
}

extension Array where Element == String {
    /// `["a", "b"]` → ("a", "b"); `["a"]` → ("a", nil).
    fileprivate func splitFirst() -> (String, String?) { (first ?? "", count > 1 ? self[1] : nil) }
}
