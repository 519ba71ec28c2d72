import FashionModel
import FileSystem
import Foundation
import ImageIntake
import Inbox
import Logging
import Results
import ServiceLifecycle
import Synchronization

/// The daemon's work, wired: queue → claim → decode and classify (on decoder threads) → decide → the
/// recorder, a batch at a time. Files dropped together share one forward pass; the recorder records and
/// files a batch while the next one is decoded.
public final class Pipeline: Service {
    public struct Options: Sendable {
        /// Thresholds a person set, outranking the model's stored operating point (nil keeps it).
        public var reviewThreshold: Float? = nil, otherThreshold: Float? = nil, noneOfTheseThreshold: Float? = nil
        /// Files per forward pass at most.
        public var batch = 256
        /// An unfinished-looking file is left in the inbox until it has been quiet this long (seconds).
        public var settle: Double = 2
        public var limits = PhotoLoader.limits()
        public init() {}
    }

    public let layout: Layout
    private let files: AsyncStream<QueuedFile>
    private let queue = PendingQueue()
    private let claimer: Claimer
    public let recorder: Recorder
    private let attempts: AttemptLog
    private let state: Mutex<(model: Model, options: Options)>
    /// One decoder thread per core: a hostile file's full second holds only its own thread.
    private let decoders = WorkerPool(name: "decoder", threads: ProcessInfo.processInfo.activeProcessorCount)
    /// Steps in flight (a batch being claimed and decided, a commit) and when one last moved on.
    private let progress = Mutex<(working: Int, last: ContinuousClock.Instant)>((0, .now))
    /// When graceful shutdown began. The batch in flight is finished, but what is not decoded half a second
    /// later stays in work/ for the next start, so a batch of slow hostile files never holds up a stop.
    private let stopping = Mutex<ContinuousClock.Instant?>(nil)
    private let logger: Logger

    public init(
        layout: Layout, model: Model, options: Options, files: AsyncStream<QueuedFile>,
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) throws(FileSystemError) {
        self.layout = layout
        self.files = files
        self.claimer = Claimer(layout: layout, clock: clock, logger: logger)
        self.recorder = try Recorder(layout: layout, clock: clock, logger: logger)
        self.attempts = AttemptLog(path: layout.attemptsFile)
        self.state = Mutex((model, options))
        self.logger = logger
    }

    public var model: Model { state.withLock { $0.model } }
    public var options: Options { state.withLock { $0.options } }
    public var queued: Int { queue.count }

    /// Takes effect from the next batch.
    public func update(model: Model? = nil, options: Options? = nil) {
        state.withLock { s in
            if let model { s.model = model }
            if let options { s.options = options }
        }
    }

    /// How long work in flight has gone without a step forward (a file claimed, decoded or a batch committed),
    /// or nil when nothing is in flight: the watchdog's question. A claim, decode or write that blocks for
    /// good stops the pings, so systemd restarts the daemon.
    public var stalledFor: Duration? {
        progress.withLock { $0.working > 0 ? ContinuousClock.now - $0.last : nil }
    }

    private func beat() { progress.withLock { $0.last = .now } }

    private func working<R>(_ body: () async -> R) async -> R {
        progress.withLock {
            $0.working += 1; $0.last = .now
        }
        defer {
            progress.withLock {
                $0.working -= 1; $0.last = .now
            }
        }
        return await body()
    }

    public func run() async throws {
        // One file at a time: they may share a batch with a photo that killed
        // the daemon, and processed alone only that photo collects a second attempt.
        for claim in await recover() { await process([claim]) }
        let (decided, commits) = AsyncStream.makeStream(of: (batch: [Decided], model: String).self)
        await withDiscardingTaskGroup { group in
            group.addTask { [files, queue] in
                for await file in files.cancelOnGracefulShutdown() { queue.push(file) }
                queue.finish()
            }
            group.addTask { [self] in
                // Work that could not be recorded or filed is retried on its own, backing off to 30 s;
                // files that looked unfinished are offered again each second until they are taken.
                var wait = 1.0
                while await GracefulSleep.sleep(seconds: wait) {
                    for file in claimer.takeUnfinished() { queue.push(file) }
                    guard await recorder.hasBacklog else { wait = 1; continue }
                    wait = await recorder.retry() ? 1 : min(wait * 2, 30)
                }
            }
            await withDiscardingTaskGroup { batches in
                // Records batch N while batch N + 1 is decoded; every batch decided is recorded before `run` ends.
                batches.addTask { [recorder] in
                    for await d in decided { await self.working { await recorder.commit(d.batch, model: d.model) } }
                }
                await withGracefulShutdownHandler {
                    while let batch = await queue.nextBatch(max: options.batch) {
                        let id = model.id
                        commits.yield(
                            (await working { await decide(claimer.claim(batch, settle: options.settle)) }, id))
                    }
                } onGracefulShutdown: { [self] in
                    stopping.withLock { $0 = .now }
                    queue.close()
                }
                commits.finish()
            }
            group.cancelAll()  // the retry loop; what still waits is finished at the next start
        }
    }

    /// Finishes what a previous run left in work/; returns the claims to process again.
    public func recover() async -> [Claim] {
        await Recovery(layout: layout, recorder: recorder, attempts: attempts, names: claimer.longNames, logger: logger)
            .run(model: model.id)
    }

    /// Processes claimed files to the end: recorded and filed when it returns.
    public func process(_ claims: [Claim]) async {
        await working { await recorder.commit(await decide(claims), model: model.id) }
    }

    /// Claims files from the inbox (for tests and tools driving the pipeline by hand).
    public func claim(_ files: [QueuedFile]) -> [Claim] { claimer.claim(files) }

    /// Decodes each file on the decoder threads and classifies the batch in one forward pass there, then
    /// decides where each goes.
    private func decide(_ claims: [Claim]) async -> [Decided] {
        guard !claims.isEmpty else { return [] }
        let (m, o) = state.withLock { ($0.model, $0.options) }
        beat()
        if attempts.size > 1 << 20 { attempts.clear() }  // between decodes: no mark is open
        let point = m.decision.overriding(
            other: o.otherThreshold, review: o.reviewThreshold, noneOfThese: o.noneOfTheseThreshold)
        let prepared = await withTaskExecutorPreference(decoders) {
            await withTaskGroup(of: (Int, PreparedPhoto?).self) { group in
                for (i, claim) in claims.enumerated() {
                    group.addTask { [self] in (i, decode(claim, limits: o.limits)) }
                }
                var out = [PreparedPhoto?](repeating: nil, count: claims.count)
                for await (i, photo) in group { out[i] = photo }
                let kept = zip(claims, out).compactMap { c, p in p.map { (c, $0) } }
                return (kept, m.classify(kept.map(\.1)))
            }
        }
        let (kept, predictions) = prepared
        if kept.count < claims.count {
            logger.notice(
                "stopping: files not decoded within half a second stay in work/ for the next start",
                metadata: ["files": "\(claims.count - kept.count)"])
        }
        return zip(kept, predictions).map { Decided.decide($0.0, photo: $0.1, $1, point: point) }
    }

    /// One file read, hashed, decoded and converted, its attempt marked around it; nil when the daemon has
    /// been stopping for half a second (the file stays in work/).
    private func decode(_ claim: Claim, limits: DecodeLimits) -> PreparedPhoto? {
        if let since = stopping.withLock({ $0 }), ContinuousClock.now - since > .milliseconds(500) { return nil }
        attempts.begin(claim.id)
        defer { attempts.end(claim.id); beat() }
        return PhotoLoader.prepare(claim.workPath, limits: limits)
    }
}
