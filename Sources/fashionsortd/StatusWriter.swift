import FashionModel
import FileSystem
import Foundation
import Inbox
import Sorting
import Logging
import Results
import ServiceLifecycle
import Synchronization

/// Rewrites status.json and metrics.prom, tells systemd the status line, and
/// pings its watchdog while the pipeline makes progress: work in flight that
/// has not moved on (a claim, decode or write stuck) for twice the ping interval
/// stops the pings, so systemd restarts the daemon and the attempt marks
/// quarantine a file that hung a decoder.
public final class StatusWriter: Service {
    private let layout: Layout
    private let pipeline: Pipeline
    private let notifier: SystemdNotifier
    /// Seconds between rewrites while files keep coming; an idle daemon's status is rewritten within a second.
    private let interval: Mutex<Double>
    private let logger: Logger

    /// Folders in a non-recursive inbox whose files are not processed (the watcher's count).
    private let skippedFolders: @Sendable () -> Int

    public init(
        layout: Layout, pipeline: Pipeline, notifier: SystemdNotifier, interval: Double,
        skippedFolders: @escaping @Sendable () -> Int = { 0 }, logger: Logger
    ) {
        self.layout = layout
        self.skippedFolders = skippedFolders
        self.pipeline = pipeline
        self.notifier = notifier
        self.interval = Mutex(interval)
        self.logger = logger
    }

    public func update(interval: Double) { self.interval.withLock { $0 = interval } }

    public func run() async throws {
        var written: (at: ContinuousClock.Instant, processed: Int, queued: Int, skipped: Int)?
        var pinged = ContinuousClock.Instant.now - .seconds(3600)
        let tick = min(1, notifier.watchdogInterval ?? 1)
        while await GracefulSleep.sleep(seconds: written == nil ? 0 : tick) {
            let now = ContinuousClock.now
            let s = await pipeline.recorder.stats, queued = pipeline.queued, skipped = skippedFolders()
            let changed =
                written.map { ($0.processed, $0.queued, $0.skipped) != (s.processed, queued, skipped) } ?? true
            let due = written.map { now - $0.at >= .milliseconds(Int64(interval.withLock { $0 } * 1000)) } ?? true
            if due || (changed && now - written!.at >= .seconds(1)) {
                await write(.running)
                notifier.notify("STATUS=\(s.processed) files, queue \(queued)")
                written = (now, s.processed, queued, skipped)
            }
            if let w = notifier.watchdogInterval, now - pinged >= .milliseconds(Int64(w * 1000)),
                (pipeline.stalledFor ?? .zero) < .milliseconds(Int64(w * 2000))
            {
                notifier.notify("WATCHDOG=1")
                pinged = now
            }
        }
        await write(.stopped)
    }

    private func write(_ state: DaemonStatus.State) async {
        let status = await pipeline.recorder.stats.status(
            instance: layout.instance, state: state, model: pipeline.model.id, queue: pipeline.queued,
            error: await pipeline.recorder.error, skippedFolders: skippedFolders())
        do { try status.write(status: layout.statusFile, metrics: layout.metricsFile) } catch {
            logger.warning("cannot write status", metadata: ["error": "\(error)"])
        }
    }
}
