import FashionModel
import Foundation
import Inbox
import Logging
import ServiceLifecycle
import Sorting
import UnixSignals

/// SIGHUP re-reads the settings and the model; a changed model file is
/// reloaded by itself. A new model that does not load is refused and the
/// running one kept; a changed setting that needs a restart is named, not applied.
final class ReloadService: Service {
    private let reader: SettingsReader
    private let started: DaemonSettings
    private let daemon: DaemonServices
    private let notifier: SystemdNotifier
    private let logger: Logger

    init(
        reader: SettingsReader, settings: DaemonSettings, daemon: DaemonServices, notifier: SystemdNotifier,
        logger: Logger
    ) {
        self.reader = reader
        self.started = settings
        self.daemon = daemon
        self.notifier = notifier
        self.logger = logger
    }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withDiscardingTaskGroup { group in
            let changes = AsyncStream.makeStream(of: Trigger.self)
            group.addTask {
                for await _ in signals.cancelOnGracefulShutdown() { changes.continuation.yield(.signal) }
                changes.continuation.finish()
            }
            group.addTask { [daemon] in
                // The model file through the inbox watcher's inotify source (or its polls): no timer here.
                for await path in daemon.watcher.changes.cancelOnGracefulShutdown() where path == daemon.modelPath {
                    changes.continuation.yield(.modelFile)
                }
                changes.continuation.finish()
            }
            var current = started
            for await trigger in changes.stream.cancelOnGracefulShutdown() {
                notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
                switch trigger {
                case .signal:
                    logger.notice("SIGHUP: reloading settings and model")
                    current = await reloadSettings(current)
                case .modelFile:
                    logger.notice("model file changed", metadata: ["model.path": "\(current.modelPath)"])
                    reloadModel(from: current.modelPath)
                }
                notifier.notify("READY=1")
            }
        }
    }

    private enum Trigger: Sendable { case signal, modelFile }

    /// Applies what can change while running; returns the settings now in effect.
    private func reloadSettings(_ current: DaemonSettings) async -> DaemonSettings {
        var fresh: DaemonSettings
        do { fresh = try await reader.read() } catch {
            logger.error("settings reload refused, keeping the current ones", metadata: ["error": "\(error)"])
            reloadModel(from: current.modelPath)
            return current
        }
        let before = Dictionary(uniqueKeysWithValues: current.values.map { ($0.key, $0.value) })
        var applied = fresh
        for (key, value) in fresh.values where before[key] != value {
            if DaemonSettings.restartKeys.contains(key) {
                logger.warning(
                    "setting changed but needs a restart; still using the old value",
                    metadata: [
                        "setting": "\(key)", "old": "\(before[key] ?? "")", "new": "\(value)",
                        "source": "\(fresh.sources[key] ?? "default")",
                    ])
            } else {
                logger.notice(
                    "setting changed",
                    metadata: [
                        "setting": "\(key)", "old": "\(before[key] ?? "")", "new": "\(value)",
                        "source": "\(fresh.sources[key] ?? "default")",
                    ])
            }
        }
        applied = applied.keepingRestartSettings(of: started)
        daemon.apply(applied)
        reloadModel(from: applied.modelPath)
        return applied
    }

    private func reloadModel(from path: String) {
        let old = daemon.pipeline.model.id
        do {
            let model = try Model(contentsOf: path)
            if let problem = model.sanityProblem() { throw InboxError.model(path: path, reason: problem) }
            guard model.id != old else {
                logger.info("model unchanged", metadata: ["model": "\(old)"])
                return
            }
            daemon.pipeline.update(model: model)
            daemon.modelPath = path
            daemon.watcher.watch(file: path)
            logger.notice("model reloaded: \(old) → \(model.id)", metadata: ["model.path": "\(path)"])
        } catch {
            logger.error("new model refused, still using \(old)", metadata: ["error": "\(error)"])
        }
    }

    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}
