import FashionModel
import Foundation
import Inbox
import Logging

/// Wires configuration, model, watcher, processor, signals and systemd.
final class Service: @unchecked Sendable {
    private var config: Configuration
    private let reloadConfiguration: () throws -> Configuration
    private let logger: Logger
    private let notifier = SystemdNotifier()
    private let queue = PendingQueue()
    private let flags = Flags()
    private var signalSources: [DispatchSourceSignal] = []

    init(configuration: Configuration, reload: @escaping () throws -> Configuration, logger: Logger) {
        self.config = configuration
        self.reloadConfiguration = reload
        self.logger = logger
    }

    /// Signal-set flags, read by the main loop.
    final class Flags: @unchecked Sendable {
        private let lock = NSLock()
        private var stop = false, reload = false
        func requestStop() { lock.withLock { stop = true } }
        func requestReload() { lock.withLock { reload = true } }
        var stopping: Bool { lock.withLock { stop } }
        func takeReload() -> Bool { lock.withLock { defer { reload = false }; return reload } }
    }

    func run() throws {
        // First, so a SIGTERM during start-up is handled (it waits, blocked, until then).
        installSignals()
        let layout = Layout(root: config.root, instance: config.instance, inbox: config.inbox)
        try layout.create()
        try layout.checkNoFeedbackLoop(recursive: config.recursive)
        let modelPath = config.model ?? Model.defaultPath
        let model = try Model(contentsOf: modelPath)
        var options = Processor.Options()
        options.reviewThreshold = config.reviewThreshold
        let log = logger
        let processor = Processor(layout: layout, model: model, options: options, log: { message, warning in
            if warning { log.warning("\(message)") } else { log.info("\(message)") }
        })
        logger.info("starting", metadata: ["root": "\(layout.root)", "inbox": "\(layout.inbox)", "instance": "\(layout.instance)",
                                           "model": "\(model.id)", "model.path": "\(modelPath)",
                                           "watch": "\(config.poll.map { "poll every \($0)s" } ?? "inotify")"])

        // Finish what a previous run left in work/ before taking new files, one
        // file at a time: they may share a batch with a photo that killed the
        // daemon, and processed alone only that photo collects a second attempt
        // (and is quarantined), not its batch-mates.
        for claim in processor.recover() { processor.process([claim]) }

        let scanner = InboxScanner(folder: layout.inbox, recursive: config.recursive, settle: config.settle)
        let source: EventSource = config.poll.map { PollingSource(interval: $0) }
            ?? InotifySource(folder: layout.inbox, recursive: config.recursive)
        let queue = self.queue
        try source.start { event in
            switch event {
            case .file(let path):
                let name = (path as NSString).lastPathComponent
                if !IgnoreRules.ignores(name) { queue.push(path) }
            case .rescan:
                for p in scanner.scan() { queue.push(p) }
            }
        }
        for p in scanner.scan() { queue.push(p) }
        notifier.notify("READY=1\nSTATUS=watching \(layout.inbox)\nMAINPID=\(getpid())")
        logger.info("ready")

        var modelStamp = Self.stamp(modelPath)
        var lastRescan = Date(), lastStatus = Date.distantPast, lastPing = Date.distantPast, lastModelCheck = Date()
        var currentModelPath = modelPath
        while !flags.stopping {
            let batch = queue.popBatch(max: config.batch, timeout: 0.5, linger: 0.003)
            if flags.stopping && batch.isEmpty { break }
            // A replaced model file or SIGHUP: validate, then swap between batches.
            var reload = flags.takeReload()
            if Date().timeIntervalSince(lastModelCheck) > 2 {
                lastModelCheck = Date()
                let s = Self.stamp(currentModelPath)
                if s != modelStamp { modelStamp = s; reload = true; logger.info("model file changed: \(currentModelPath)") }
            }
            if reload { currentModelPath = self.reload(processor, modelPath: currentModelPath) }
            processor.submit(processor.claim(batch))
            let now = Date()
            // Scan again soon when the last scan left files that were still settling.
            let interval = scanner.waiting > 0 ? min(config.settle, config.rescanInterval) : config.rescanInterval
            if now.timeIntervalSince(lastRescan) > interval {
                lastRescan = now
                for p in scanner.scan() { queue.push(p) }
            }
            if now.timeIntervalSince(lastStatus) > config.statusInterval || (batch.isEmpty && now.timeIntervalSince(lastStatus) > 1) {
                lastStatus = now
                StatusReport.write(processor.snapshot, queue: queue.count, model: processor.currentModel.id, layout: layout, state: "running")
                notifier.notify("STATUS=\(processor.snapshot.processed) files, queue \(queue.count)")
            }
            if let w = notifier.watchdogInterval, now.timeIntervalSince(lastPing) > w {
                lastPing = now
                notifier.notify("WATCHDOG=1")
            }
        }
        notifier.notify("STOPPING=1")
        processor.finish()
        source.stop()
        StatusReport.write(processor.snapshot, queue: queue.count, model: processor.currentModel.id, layout: layout, state: "stopped")
        logger.info("stopped", metadata: ["processed": "\(processor.snapshot.processed)"])
    }

    /// Re-reads configuration and the model; a model that fails validation is
    /// refused and the running one kept.
    private func reload(_ processor: Processor, modelPath: String) -> String {
        notifier.notify("RELOADING=1")
        defer { notifier.notify("READY=1") }
        var path = modelPath
        do {
            let fresh = try reloadConfiguration()
            path = fresh.model ?? Model.defaultPath
            processor.options.reviewThreshold = fresh.reviewThreshold
            config.reviewThreshold = fresh.reviewThreshold
            config.batch = fresh.batch
        } catch {
            logger.error("configuration reload refused, keeping the current one: \(error)")
        }
        let old = processor.currentModel.id
        do {
            let m = try Model(contentsOf: path)
            processor.swapModel(m)
            logger.notice("model reloaded: \(old) → \(m.id)", metadata: ["model.path": "\(path)"])
        } catch {
            logger.error("new model refused, still using \(old): \(error)")
        }
        return path
    }

    private func installSignals() {
        for sig in [SIGTERM, SIGINT, SIGHUP] {
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let flags = self.flags, queue = self.queue, logger = self.logger
            s.setEventHandler {
                if sig == SIGHUP {
                    logger.info("SIGHUP: reloading")
                    flags.requestReload()
                    queue.push("")   // wake the loop; an empty path is skipped by claim
                } else {
                    logger.info("signal \(sig): finishing the current batch, then stopping")
                    flags.requestStop()
                    queue.close()
                }
            }
            s.resume()
            signalSources.append(s)
        }
    }

    /// Blocks the stop and reload signals in the calling thread, and so in
    /// every thread started after it. Blocked, a signal stays pending until
    /// Dispatch's signalfd reads it. (Setting SIG_IGN instead, as this did
    /// before, raced with Dispatch installing its own handler: when the
    /// handler came first, a SIGTERM right after READY was discarded and the
    /// daemon never stopped; seen once in the daemon benchmark.)
    static func blockSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    static func stamp(_ path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "missing" }
        return "\(st.st_size)-\(st.st_mtim.tv_sec)-\(st.st_mtim.tv_nsec)-\(st.st_ino)"
    }
}

