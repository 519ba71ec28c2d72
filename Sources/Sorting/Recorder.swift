import FashionModel
import FileSystem
import Foundation
import Inbox
import Logging
import Results

/// The single writer of what the daemon records: results CSV, index, output-name reservations, filing and
/// the counters. Records a batch (CSV append + fsync), then files each photo (work/ → its output).
/// Recording before filing makes every crash recoverable: at start-up a file still in work/ is either
/// recorded (only the move is redone) or not (it is processed again), so each photo gets exactly one row
/// and one place. A batch that cannot be recorded (a full disk) or a file that cannot be filed (a read-only
/// folder) stays in work/ and is retried, in order, before anything newer; `error` says so while it lasts.
/// Its methods block on fsync and renames, so it runs on a thread of its own, never on the cooperative pool.
public actor Recorder {
    public let layout: Layout
    private let results: ResultsLog
    /// Looked up for duplicates and recovery; kept in step with every batch recorded.
    private let index: ResultsIndex
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let thread = WorkerThread(name: "recorder")
    /// Output names chosen for files not yet filed, so no two files get one name; by their bytes, so names
    /// that differ only in Unicode normalisation are two names, as on disk.
    private var reserved: Set<[UInt8]> = []
    public private(set) var stats: Stats
    /// What could not be done yet, oldest first.
    private var unrecorded: [[Outcome]] = []
    private var unfiled: [Outcome] = []
    /// Why files wait in work/ for a retry; nil when nothing waits.
    public private(set) var error: String?

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    public init(
        layout: Layout, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    )
        throws(FileSystemError)
    {
        self.layout = layout
        self.results = ResultsLog(folder: layout.results, instance: layout.instance)
        self.index = try ResultsIndex(folder: layout.results)
        self.clock = clock
        self.logger = logger
        self.stats = Stats(continuing: try? DaemonStatus.read(from: layout.statusFile), instance: layout.instance)
        for note in index.notes { logger.warning("results index", metadata: ["note": "\(note)"]) }
    }

    /// Whether a retry has anything to do.
    public var hasBacklog: Bool { !unrecorded.isEmpty || !unfiled.isEmpty }

    /// Recorded outputs of these claim ids (those without a row are left out), for recovery.
    public func outputs(ids: some Sequence<String> & Sendable) -> [String: String] { index.outputs(ids: ids) }

    /// Gives decided photos their rows — one clock reading each, an output name reserved in their folder,
    /// the first file of the same content — then records and files them after whatever waits from earlier.
    public func commit(_ decided: [Decided], model: String) {
        let firsts = index.firstFiles(decided.filter(\.isDecoded).map { ($0.sha256, $0.claim.original) })
        var next = firsts[...]
        let batch = decided.map { d in
            var r = ResultRecord(
                time: Timestamp.string(clock()), file: d.claim.original, sha256: d.sha256, status: d.status,
                prediction: d.prediction, output: reserveOutput(in: folder(d.destination), for: d.claim.original),
                model: model, milliseconds: d.milliseconds, error: d.error)
            r.id = d.claim.id
            r.heldBackBy = d.heldBackBy
            if d.isDecoded { r.duplicateOf = next.popFirst().flatMap { $0 } ?? "" }
            return Outcome(claim: d.claim, record: r, rejectKind: d.rejectKind)
        }
        if !batch.isEmpty { unrecorded.append(batch) }
        drain()
    }

    /// Files a photo recorded before a restart (recovery).
    public func file(_ claim: Claim, recordedOutput: String) throws(FileSystemError) {
        try Mover(layout: layout, logger: logger).file(claim, recordedOutput: recordedOutput)
    }

    /// Tries again what waits; true when nothing is left waiting.
    @discardableResult
    public func retry() -> Bool {
        drain()
        return !hasBacklog
    }

    private func folder(_ d: Decided.Destination) -> String {
        switch d {
        case .out(let c): "\(layout.out)/\(c.slug)"
        case .review(let c): "\(layout.review)/\(c.slug)"
        case .other: layout.other
        case .rejected: layout.rejected
        }
    }

    /// The first name free in `folder` for `original`, reserved until its file is filed. Looking at the
    /// reservations before the disk means a name filed meanwhile is seen in one place or the other.
    private func reserveOutput(in folder: String, for original: String) -> String {
        let base = (original as NSString).lastPathComponent
        for name in FileName.variants(of: base) {
            let candidate = "\(folder)/\(name)", key = Array(candidate.utf8)
            if !reserved.contains(key) && access(candidate, F_OK) != 0 {
                reserved.insert(key)
                return candidate
            }
        }
        return "\(folder)/\(base)"
    }

    /// Records the waiting batches in order, then files what is recorded; stops at the first failure.
    private func drain() {
        var problem: String?
        while let batch = unrecorded.first {
            let records = batch.map(\.record), appended: [ResultsLog.Appended]
            do { appended = try results.append(records) } catch {
                problem = "cannot record results: \(error)"
                break
            }
            addToIndex(records[...], appended)
            unrecorded.removeFirst()
            unfiled += batch
        }
        let now = Monotonic.nanoseconds()
        let waiting = unfiled
        unfiled = []
        for o in waiting {
            do { try Mover(layout: layout, logger: logger).file(o.claim, recordedOutput: o.record.output) } catch {
                problem = problem ?? "cannot file: \(error)"
                unfiled.append(o)
                continue
            }
            reserved.remove(Array(o.record.output.utf8))
            log(o.record)
            stats.record(o.record, latency: Double(now &- o.claim.arrival) / 1e6, kind: o.rejectKind)
        }
        let before = error
        error = problem.map { "\($0); \(unrecorded.reduce(0) { $0 + $1.count } + unfiled.count) files wait in work/" }
        if let error, before == nil {
            logger.error(
                "files wait in work/ and are retried", metadata: ["error": "\(error)", "folder": "\(layout.work)"])
        } else if before != nil && error == nil {
            logger.notice("recording and filing work again; nothing waits in work/")
        }
    }

    /// The CSV is the record: an index that lags behind it (locked, disk full) reads on from the CSV at its
    /// next add or the next start; a results file replaced under the daemon is read again whole.
    private func addToIndex(_ records: ArraySlice<ResultRecord>, _ appended: [ResultsLog.Appended]) {
        var rest = records
        for a in appended {
            if let reason = a.reopened {
                logger.warning(
                    "\(reason); appending to the file now at that path",
                    metadata: ["file": "\(layout.results)/\(a.csv)"])
                try? index.forget(csv: a.csv)
            }
            do { try index.add(Array(rest.prefix(a.rows)), appended: a) } catch {
                logger.warning("index not updated; it catches up from the CSV", metadata: ["error": "\(error)"])
            }
            rest = rest.dropFirst(a.rows)
        }
    }

    private func log(_ r: ResultRecord) {
        var metadata: Logger.Metadata = ["file": "\(r.file)", "output": "\(r.output)"]
        guard let p = r.prediction else {
            metadata["error"] = "\(r.error)"
            logger.warning("rejected", metadata: metadata)
            return
        }
        metadata["class"] = "\(p.best.label.slug)"
        metadata["confidence"] = "\(TextFormat.fixed(Double(p.best.confidence), places: 3))"
        metadata["none-of-these"] = "\(TextFormat.fixed(Double(p.noneOfThese), places: 3))"
        if !r.heldBackBy.isEmpty { metadata["held-back-by"] = "\(r.heldBackBy)" }
        if !r.duplicateOf.isEmpty { metadata["duplicate_of"] = "\(r.duplicateOf)" }
        logger.info("\(r.status.rawValue)", metadata: metadata)
    }
}

/// A file's row, ready to be recorded and filed.
public struct Outcome: Sendable {
    public var claim: Claim
    public var record: ResultRecord
    /// `IntakeError.kind` of a rejected file, for the metrics.
    public var rejectKind: String?
}
