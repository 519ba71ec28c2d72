import Dispatch
import FashionModel
import FileSystem
import Foundation
import ImageIntake
import Logging
import Results
import ServiceLifecycle
import Synchronization

/// The daemon's work: claim → decode → convert → classify → decide → record
/// → file, a batch at a time. Files dropped together share one forward pass;
/// recording and filing a batch overlaps the next batch's decoding.
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
    private let filer: Filer
    private let index: ResultsIndex
    private let recovery: Recovery
    private let attempts: AttemptLog
    private let state: Mutex<(model: Model, options: Options)>
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
        let index = try ResultsIndex(folder: layout.results)
        self.layout = layout
        self.files = files
        self.claimer = Claimer(layout: layout, clock: clock, logger: logger)
        self.filer = Filer(layout: layout, index: index, clock: clock, logger: logger)
        self.index = index
        self.attempts = AttemptLog(path: layout.attemptsFile)
        self.recovery = Recovery(
            layout: layout, filer: filer, attempts: attempts, longNames: claimer.longNames, index: index,
            logger: logger)
        self.state = Mutex((model, options))
        self.logger = logger
        for note in index.notes { logger.warning("results index", metadata: ["note": "\(note)"]) }
    }

    public var model: Model { state.withLock { $0.model } }
    public var options: Options { state.withLock { $0.options } }
    public var stats: Stats { filer.stats }
    public var error: String? { filer.error }
    public var queued: Int { queue.count }

    /// How long work in flight has gone without a step forward (a file claimed, decoded or a batch committed),
    /// or nil when nothing is in flight: the watchdog's question. A claim, decode or write that blocks for
    /// good stops the pings, so systemd restarts the daemon.
    public var stalledFor: Duration? {
        progress.withLock { $0.working > 0 ? ContinuousClock.now - $0.last : nil }
    }

    private func beat() { progress.withLock { $0.last = .now } }

    private func working<R>(_ body: () async -> R) async -> R {
        progress.withLock { $0.working += 1; $0.last = .now }
        defer { progress.withLock { $0.working -= 1; $0.last = .now } }
        return await body()
    }

    /// Takes effect from the next batch.
    public func update(model: Model? = nil, options: Options? = nil) {
        state.withLock { s in
            if let model { s.model = model }
            if let options { s.options = options }
        }
    }

    public func run() async throws {
        // One file at a time: they may share a batch with a photo that killed
        // the daemon, and processed alone only that photo collects a second attempt.
        for claim in await recover() { await process([claim]) }
        await withDiscardingTaskGroup { group in
            group.addTask { [files, queue] in
                for await file in files.cancelOnGracefulShutdown() { queue.push(file) }
                queue.finish()
            }
            group.addTask { [filer, claimer, queue] in
                // Work that could not be recorded or filed is retried on its own, backing off to 30 s;
                // files that looked unfinished are offered again each second until they are taken.
                var wait = 1.0
                while await GracefulSleep.sleep(seconds: wait) {
                    for file in claimer.takeUnfinished() { queue.push(file) }
                    guard filer.hasBacklog else { wait = 1; continue }
                    wait = await filer.retry() ? 1 : min(wait * 2, 30)
                }
            }
            await withGracefulShutdownHandler {
                var committing: Task<Void, Never>?
                while let batch = await queue.nextBatch(max: options.batch) {
                    let outcomes = await working { await decide(claimer.claim(batch, settle: options.settle)) }
                    await committing?.value
                    committing = Task { [self] in await working { await filer.commit(outcomes) } }
                }
                await committing?.value
            } onGracefulShutdown: { [self] in
                stopping.withLock { $0 = .now }
                queue.close()
            }
            group.cancelAll()  // the retry loop; what still waits is finished at the next start
        }
    }

    /// Finishes what a previous run left in work/; returns the claims to process again.
    public func recover() async -> [Claim] { await recovery.run(model: model.id) }

    /// Processes claimed files to the end: recorded and filed when it returns.
    public func process(_ claims: [Claim]) async {
        await working { await filer.commit(decide(claims)) }
    }

    /// Claims files from the inbox (for tests and tools driving the pipeline by hand).
    public func claim(_ files: [QueuedFile]) -> [Claim] { claimer.claim(files) }

    /// Decodes and classifies on threads of their own (a batch keeps both cores
    /// busy for milliseconds), then decides each file's status and output.
    private func decide(_ claims: [Claim]) async -> [Outcome] {
        guard !claims.isEmpty else { return [] }
        let (m, o) = state.withLock { ($0.model, $0.options) }
        beat()
        if attempts.size > 1 << 20 { attempts.clear() }  // between decodes: no mark is open
        let left = Skipped()
        let (photos, predictions) = await withCheckedContinuation { done in
            DispatchQueue.global().async { [self] in
                let photos = PhotoLoader.prepare(claims.map(\.workPath), limits: o.limits) { i, work in
                    if let since = stopping.withLock({ $0 }), ContinuousClock.now - since > .milliseconds(500) {
                        left.indices.withLock { _ = $0.insert(i) }
                        return PreparedPhoto(
                            file: claims[i].workPath, sha256: "",
                            pixels: .failure(.unreadable(file: claims[i].workPath, reason: "not decoded")),
                            milliseconds: 0)
                    }
                    attempts.begin(claims[i].id)
                    defer { attempts.end(claims[i].id); beat() }
                    return work()
                }
                done.resume(returning: (photos, m.classify(photos)))
            }
        }
        let skipped = left.indices.withLock { $0 }
        if !skipped.isEmpty {
            logger.notice(
                "stopping: files not decoded within half a second stay in work/ for the next start",
                metadata: ["files": "\(skipped.count)"])
        }
        // Once a batch: the stored operating point is decoded from the checkpoint's metadata, and the
        // duplicate look-ups share one read of the index.
        let decision = m.decision.overriding(
            other: o.otherThreshold, review: o.reviewThreshold, noneOfThese: o.noneOfTheseThreshold), id = m.id
        let kept = zip(claims, zip(photos, predictions)).enumerated().filter { !skipped.contains($0.offset) }
            .map(\.element)
        var firsts = index.firstFiles(kept.filter(\.1.0.isDecoded).map { ($0.1.0.sha256, $0.0.original) })[...]
        return kept.map { claim, result in
            let first = result.0.isDecoded ? firsts.popFirst() ?? nil : nil
            return outcome(claim, photo: result.0, result.1, decision: decision, model: id, duplicateOf: first)
        }
    }

    private func outcome(
        _ c: Claim, photo: PreparedPhoto, _ result: PhotoPrediction, decision: OperatingPoint, model: String,
        duplicateOf: String?
    ) -> Outcome {
        switch photo.pixels {
        case .success:
            let p = result.prediction!
            let status = ResultRecord.Status(decision.disposition(p))
            let folder =
                switch status {
                case .review: "\(layout.review)/\(p.best.label.slug)"
                case .other: layout.other
                default: "\(layout.out)/\(p.best.label.slug)"
                }
            var r = filer.record(
                c, status: status, sha256: photo.sha256, prediction: p,
                output: filer.reserveOutput(in: folder, for: c.original), model: model,
                milliseconds: result.milliseconds)
            r.duplicateOf = duplicateOf ?? ""
            r.heldBackBy = decision.reason(p)
            return Outcome(claim: c, record: r, rejectKind: nil)
        case .failure(let e):
            let r = filer.record(
                c, status: .rejected, sha256: photo.sha256, prediction: nil,
                output: filer.reserveOutput(in: layout.rejected, for: c.original), model: model,
                milliseconds: photo.milliseconds, error: e.reason)
            return Outcome(claim: c, record: r, rejectKind: e.kind)
        }
    }
}

/// Indices of a batch's files left undecoded because the daemon is stopping.
private final class Skipped: Sendable {
    let indices = Mutex<Set<Int>>([])
}
