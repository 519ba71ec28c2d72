import Dispatch
import FashionModel
import FileSystem
import Foundation
import Logging
import Results
import Synchronization

/// A file's outcome, decided and ready to be recorded and filed.
public struct Outcome: Sendable {
    public var claim: Claim
    public var record: ResultRecord
    /// `IntakeError.kind` of a rejected file, for the metrics.
    public var rejectKind: String?
}

/// Records outcomes (CSV append + fsync), then files each one (work/ → its
/// output). Recording before filing makes every crash recoverable: at
/// start-up a file still in work/ is either recorded (only the move is
/// redone) or not (it is processed again), so each photo gets exactly one row
/// and one place. A batch that cannot be recorded (a full disk) or a file that
/// cannot be filed (a read-only folder) stays in work/ and is retried, in
/// order, before anything newer; `error` says so while it lasts.
public final class Filer: Sendable {
    public let layout: Layout
    private let results: ResultsLog
    /// Looked up for duplicates and recovery; kept in step with every batch recorded.
    public let index: ResultsIndex
    private let clock: @Sendable () -> Date
    private let logger: Logger
    /// fsync and renames mostly wait: one thread of their own, one batch at a time.
    private let queue = DispatchQueue(label: "fashionsort.filer")
    /// Output names chosen for batches not yet filed, so no two files get one name; by their bytes, so
    /// names that differ only in Unicode normalisation are two names, as on disk.
    private let reserved = Mutex<Set<[UInt8]>>([])
    private let counters: Mutex<Stats>
    /// What could not be done yet, oldest first; touched only on `queue`.
    private let backlog = Mutex(Backlog())

    private struct Backlog {
        var unrecorded: [[Outcome]] = []
        var unfiled: [Outcome] = []
        var error: String?
        var isEmpty: Bool { unrecorded.isEmpty && unfiled.isEmpty }
    }

    public init(
        layout: Layout, index: ResultsIndex, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.layout = layout
        self.results = ResultsLog(folder: layout.results, instance: layout.instance)
        self.counters = Mutex(Stats(continuing: try? DaemonStatus.read(from: layout.statusFile), instance: layout.instance))
        self.index = index
        self.clock = clock
        self.logger = logger
    }

    public var stats: Stats { counters.withLock { $0 } }
    /// Why files wait in work/ for a retry; nil when nothing waits.
    public var error: String? { backlog.withLock { $0.error } }

    /// Whether a retry has anything to do.
    public var hasBacklog: Bool { backlog.withLock { !$0.isEmpty } }

    /// The first name free in `folder` for `original`, reserved until its batch is filed.
    /// Looking at the reservations before the disk means a name filed meanwhile is seen in one place or the other.
    public func reserveOutput(in folder: String, for original: String) -> String {
        let base = (original as NSString).lastPathComponent
        for name in FileName.variants(of: base) {
            let candidate = "\(folder)/\(name)", key = Array(candidate.utf8)
            let taken = reserved.withLock { $0.contains(key) } || access(candidate, F_OK) == 0
            if !taken && reserved.withLock({ $0.insert(key).inserted }) { return candidate }
        }
        return "\(folder)/\(base)"
    }

    public func record(
        _ claim: Claim, status: ResultRecord.Status, sha256: String, prediction: Prediction?,
        output: String, model: String, milliseconds: Double, error: String = ""
    ) -> ResultRecord {
        var r = ResultRecord(
            time: Timestamp.string(clock()), file: claim.original, sha256: sha256, status: status,
            prediction: prediction,
            output: output, model: model, milliseconds: milliseconds, error: error)
        r.id = claim.id
        return r
    }

    /// Records then files a batch, after whatever waits from earlier; returns when done or queued for a retry.
    public func commit(_ batch: [Outcome]) async {
        guard !batch.isEmpty || hasBacklog else { return }
        await onQueue {
            self.backlog.withLock { if !batch.isEmpty { $0.unrecorded.append(batch) } }
            self.drain()
        }
    }

    /// Tries again what waits; true when nothing is left waiting.
    @discardableResult
    public func retry() async -> Bool {
        await onQueue { self.drain() }
        return !hasBacklog
    }

    private func onQueue(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async {
                work()
                done.resume()
            }
        }
    }

    /// Records the waiting batches in order, then files what is recorded; stops at the first failure.
    private func drain() {
        var problem: String?
        while let batch = backlog.withLock({ $0.unrecorded.first }) {
            let records = batch.map(\.record), appended: [ResultsLog.Appended]
            do { appended = try results.append(records) } catch {
                problem = "cannot record results: \(error)"
                break
            }
            index(records[...], appended)
            backlog.withLock {
                $0.unrecorded.removeFirst(); $0.unfiled += batch
            }
        }
        let now = DispatchTime.now().uptimeNanoseconds
        let waiting = backlog.withLock { b in
            defer { b.unfiled = [] }; return b.unfiled
        }
        var unfiled: [Outcome] = []
        for o in waiting {
            do {
                try file(o.claim, recordedOutput: o.record.output)
            } catch {
                problem = problem ?? "cannot file: \(error)"
                unfiled.append(o)
                continue
            }
            reserved.withLock { _ = $0.remove(Array(o.record.output.utf8)) }
            log(o.record)
            counters.withLock {
                $0.record(o.record, latency: Double(now &- o.claim.arrival) / 1e6, kind: o.rejectKind)
            }
        }
        let (before, after) = backlog.withLock { b -> (String?, String?) in
            b.unfiled = unfiled + b.unfiled
            let before = b.error
            b.error = problem.map {
                "\($0); \(b.unrecorded.reduce(0) { $0 + $1.count } + b.unfiled.count) files wait in work/"
            }
            return (before, b.error)
        }
        if let after, before == nil {
            logger.error(
                "files wait in work/ and are retried", metadata: ["error": "\(after)", "folder": "\(layout.work)"])
        } else if before != nil && after == nil {
            logger.notice("recording and filing work again; nothing waits in work/")
        }
    }

    /// The CSV is the record: an index that lags behind it (locked, disk full) reads on from the CSV at its
    /// next add or the next start; a results file replaced under the daemon is read again whole.
    private func index(_ records: ArraySlice<ResultRecord>, _ appended: [ResultsLog.Appended]) {
        var rest = records
        for a in appended {
            if let reason = a.reopened {
                logger.warning(
                    "\(reason): opened it again; the rows before stay in the file it replaced",
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

    /// Moves a work file to the output it was recorded with (or a free variant); a file whose name was
    /// not UTF-8 then gets the name the daemon read in the inbox back (the record keeps its %XX text).
    /// The output is only ever one of the daemon's own folders, whatever a results file says.
    func file(_ claim: Claim, recordedOutput: String) throws(FileSystemError) {
        var folder = (recordedOutput as NSString).deletingLastPathComponent
        var name = (recordedOutput as NSString).lastPathComponent
        if !layout.filingFolders.contains(folder) || !FileName.isPlainName(Array(name.utf8)) {
            logger.warning(
                "recorded output is not one of the daemon's folders; filed into rejected/",
                metadata: ["file": "\(claim.original)", "recorded": "\(recordedOutput)"])
            folder = layout.rejected
            name = (claim.original as NSString).lastPathComponent
        }
        let final = try FileMover.move(claim.workPath, into: folder, name: name)
        if let raw = claim.realName { restoreRealName(final, raw: raw) }
        if final != recordedOutput {
            logger.warning(
                "recorded output was taken meanwhile",
                metadata: ["file": "\(claim.original)", "recorded": "\(recordedOutput)", "output": "\(final)"])
        }
    }

    /// Renames a filed file to `raw` (or a free variant) inside its own folder; it keeps its text name
    /// when no variant is free or the folder refuses.
    private func restoreRealName(_ filed: String, raw: [UInt8]) {
        guard let folder = try? Directory(path: (filed as NSString).deletingLastPathComponent) else { return }
        let current = Array((filed as NSString).lastPathComponent.utf8)
        for candidate in FileName.variants(of: raw) where folder.rename(current, to: folder, as: candidate) != EEXIST {
            return
        }
    }
}
