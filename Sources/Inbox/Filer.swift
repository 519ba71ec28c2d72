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
/// and one place.
public final class Filer: Sendable {
    public let layout: Layout
    private let results: ResultsLog
    private let clock: @Sendable () -> Date
    private let logger: Logger
    /// fsync and renames mostly wait: one thread of their own, one batch at a time.
    private let queue = DispatchQueue(label: "fashionsort.filer")
    /// Output names chosen for batches not yet filed, so no two files get one name.
    private let reserved = Mutex<Set<String>>([])
    private let counters = Mutex(Stats())
    private let failure = Mutex<String?>(nil)

    public init(layout: Layout, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.layout = layout
        self.results = ResultsLog(folder: layout.results, instance: layout.instance)
        self.clock = clock
        self.logger = logger
    }

    public var stats: Stats { counters.withLock { $0 } }
    /// Why the last batch could not be recorded, until one is.
    public var error: String? { failure.withLock { $0 } }

    /// The first name free in `folder` for `original`, reserved until its batch is filed.
    /// Looking at the reservations before the disk means a name filed meanwhile is seen in one place or the other.
    public func reserveOutput(in folder: String, for original: String) -> String {
        let base = (original as NSString).lastPathComponent
        for name in FileName.variants(of: base) {
            let candidate = "\(folder)/\(name)"
            let taken = reserved.withLock { $0.contains(candidate) } || access(candidate, F_OK) == 0
            if !taken && reserved.withLock({ $0.insert(candidate).inserted }) { return candidate }
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

    /// Records then files a batch; returns when both are done. A failure to
    /// record leaves the files in work/ for the next start-up: nothing is lost.
    public func commit(_ batch: [Outcome]) async {
        guard !batch.isEmpty else { return }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async { [self] in
                write(batch)
                reserved.withLock { for o in batch { $0.remove(o.record.output) } }
                done.resume()
            }
        }
    }

    private func write(_ batch: [Outcome]) {
        do {
            try results.append(batch.map(\.record), day: Timestamp.day(clock()))
            failure.withLock { $0 = nil }
        } catch {
            failure.withLock { $0 = "cannot record results: \(error)" }
            logger.error(
                "cannot record results; the files stay in work/",
                metadata: [
                    "error": "\(error)", "folder": "\(layout.work)", "files": "\(batch.count)",
                ])
            return
        }
        let now = DispatchTime.now().uptimeNanoseconds
        for o in batch {
            file(o.claim.workPath, recordedOutput: o.record.output, original: o.claim.original)
            log(o.record)
            counters.withLock {
                $0.record(o.record, latency: Double(now &- o.claim.arrival) / 1e6, kind: o.rejectKind)
            }
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
        if !r.duplicateOf.isEmpty { metadata["duplicate_of"] = "\(r.duplicateOf)" }
        logger.info("\(r.status.rawValue)", metadata: metadata)
    }

    /// Moves a work file to the output it was recorded with (or a free variant).
    func file(_ work: String, recordedOutput: String, original: String) {
        let folder = (recordedOutput as NSString).deletingLastPathComponent
        let name = (recordedOutput as NSString).lastPathComponent
        do {
            let final = try FileMover.move(
                work, into: folder.isEmpty ? layout.rejected : folder, name: name.isEmpty ? original : name)
            if final != recordedOutput {
                logger.warning(
                    "recorded output was taken meanwhile",
                    metadata: [
                        "file": "\(original)", "recorded": "\(recordedOutput)", "output": "\(final)",
                    ])
            }
        } catch {
            logger.error("cannot file; it stays in work/", metadata: ["file": "\(original)", "error": "\(error)"])
        }
    }
}
