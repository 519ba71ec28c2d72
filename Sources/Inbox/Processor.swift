import FashionModel
import Foundation
import ImageIntake
import NeuralNet

/// The per-file state machine: claim (rename inbox → work) → decode →
/// convert → classify → record (CSV row, fsync) → file (work → out, review or
/// rejected). Recording before filing makes every crash recoverable: at
/// start-up a file still in work/ is either recorded (only the move is
/// redone) or not (it is processed again), so each photo gets exactly one row
/// and one place.
public final class Processor: @unchecked Sendable {
    public struct Options: Sendable {
        public var reviewThreshold: Float = 0.6
        public var limits = PhotoLoader.limits()
        /// Seconds an empty file is left alone before it is rejected as empty.
        public var emptyGrace: Double = 2
        public init() {}
    }

    public let layout: Layout
    public var options: Options
    private let results: ResultsLog
    private let clock: @Sendable () -> Date
    private let log: @Sendable (String, _ warning: Bool) -> Void
    private let lock = NSLock()
    private var model: Model
    /// Claim id → recorded output, read at start-up for recovering work/ only.
    private var recordedIDs: [String: String]
    /// First file name per content hash, keyed by the hash's first 64 bits to
    /// keep the index small (about 100 bytes per distinct photo).
    private var firstByHash: [UInt64: String]
    private var stats = Stats()
    private var sequence: UInt64 = 0

    public init(layout: Layout, model: Model, options: Options = .init(), clock: @escaping @Sendable () -> Date = { Date() },
                log: @escaping @Sendable (String, Bool) -> Void = { _, _ in }) {
        self.layout = layout
        self.model = model
        self.options = options
        self.clock = clock
        self.log = log
        self.results = ResultsLog(folder: layout.results, instance: layout.instance)
        let history = ResultsLog.history(folder: layout.results)
        // Only the files still in work/ can need their recorded output.
        let inWork = Set(((try? FileManager.default.contentsOfDirectory(atPath: layout.work)) ?? []).compactMap { $0.split(separator: "_").first.map(String.init) })
        self.recordedIDs = history.recorded.filter { inWork.contains($0.key) }
        self.firstByHash = Dictionary(history.firstByHash.map { (Self.hashKey($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: Model swap (between batches)

    public var currentModel: Model { lock.withLock { model } }
    public func swapModel(_ m: Model) { lock.withLock { model = m } }
    public var snapshot: Stats { lock.withLock { stats } }

    // MARK: Claim

    /// A claimed file: its work path, the name it had in the inbox and when it arrived.
    public struct Claim: Sendable {
        public var id: String
        public var workPath: String
        public var original: String
        public var arrival: UInt64
    }

    /// Renames inbox files into work/; files another daemon took, or that
    /// vanished, are skipped. Anything not a regular file is left alone.
    public func claim(_ paths: [(path: String, arrival: UInt64)]) -> [Claim] {
        var claims: [Claim] = []
        for (path, arrival) in paths {
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            // "Touch, then write": an empty file just closed is usually about to be
            // filled; the next close event or a later scan takes it.
            if st.st_size == 0 && clock().timeIntervalSince1970 - Double(st.st_mtim.tv_sec) < options.emptyGrace { continue }
            let name = (path as NSString).lastPathComponent
            guard !IgnoreRules.ignores(name) else { continue }
            let id = nextID()
            do {
                guard let work = try FileMover.claim(path, into: layout.work, name: "\(id)_\(name)") else { continue }
                claims.append(Claim(id: id, workPath: work, original: relativeToInbox(path), arrival: arrival))
            } catch {
                log("claim failed: \(error)", true)
            }
        }
        return claims
    }

    private func relativeToInbox(_ path: String) -> String {
        path.hasPrefix(layout.inbox + "/") ? String(path.dropFirst(layout.inbox.count + 1)) : (path as NSString).lastPathComponent
    }

    /// A unique, sortable claim id: UTC time to the microsecond plus a counter.
    private func nextID() -> String {
        sequence += 1
        let t = UInt64(clock().timeIntervalSince1970 * 1e6)
        return String(t, radix: 36) + String(sequence % 1296, radix: 36).leftPadded(2) + String(getpid() % 1296, radix: 36).leftPadded(2)
    }

    // MARK: Recovery

    /// Finishes what a previous run left in work/: recorded files are only
    /// moved; a file that was being decoded twice when the daemon died is
    /// quarantined; the rest are processed again.
    public func recover() -> [Claim] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: layout.work)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let attempts = readAttempts()
        var again: [Claim] = []
        for name in names {
            guard let sep = name.firstIndex(of: "_") else { continue }
            let id = String(name[..<sep]), original = String(name[name.index(after: sep)...])
            let work = "\(layout.work)/\(name)"
            if let output = recordedIDs[id] {
                finishMove(work, recordedOutput: output, original: original)
                log("recovered \(original): recorded before the restart, move completed", false)
            } else if attempts[id, default: 0] >= 2 {
                quarantine(Claim(id: id, workPath: work, original: original, arrival: DispatchTime.now().uptimeNanoseconds))
            } else {
                again.append(Claim(id: id, workPath: work, original: original, arrival: DispatchTime.now().uptimeNanoseconds))
            }
        }
        if names.isEmpty { unlink(layout.attemptsFile) }
        return again
    }

    private func readAttempts() -> [String: Int] {
        guard let text = try? String(contentsOfFile: layout.attemptsFile, encoding: .utf8) else { return [:] }
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") { counts[String(line), default: 0] += 1 }
        return counts
    }

    private func noteAttempts(_ claims: [Claim]) {
        let fd = open(layout.attemptsFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let text = claims.map { $0.id + "\n" }.joined()
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        // No fsync: the count guards against a decoder that kills the process,
        // and a written page outlives the process; only a power cut loses it
        // (the photo is then simply tried once more).
        close(fd)
    }

    private func quarantine(_ c: Claim) {
        let reason = "crashed or hung the daemon twice while decoding; quarantined"
        let record = makeRecord(c, sha: "", status: .rejected, prediction: nil, output: "\(layout.rejected)/\(c.original)", ms: 0, error: reason)
        commit([(c, record, "quarantined")])
    }

    // MARK: Processing

    /// Decodes, classifies, records and files a batch of claimed files.
    public func process(_ claims: [Claim]) {
        submit(claims)
        finish()
    }

    /// Like `process`, but returns once the batch is classified: recording and
    /// filing (fsync, renames: one core, mostly waiting) overlap the next
    /// batch's decoding. At most one batch is being committed; `finish` waits for it.
    public func submit(_ claims: [Claim]) {
        guard !claims.isEmpty else { return }
        noteAttempts(claims)
        let m = currentModel
        let photos = PhotoLoader.prepare(claims.map(\.workPath), limits: options.limits)
        let results = PhotoLoader.classify(photos, with: m)
        var batch: [(Claim, ResultRecord, String?)] = []
        for ((c, photo), result) in zip(zip(claims, photos), results) {
            switch photo.pixels {
            case .success:
                let p = result.prediction!
                let review = p.best.confidence < options.reviewThreshold
                let folder = "\(review ? layout.review : layout.out)/\(p.best.label.slug)"
                var r = makeRecord(c, sha: photo.sha256, status: review ? .review : .classified, prediction: p,
                                   output: freeName(in: folder, c.original), ms: result.milliseconds, error: "", model: m.id)
                let key = Self.hashKey(photo.sha256)
                if let first = firstByHash[key] { r.duplicateOf = first } else { firstByHash[key] = c.original }
                batch.append((c, r, nil))
            case .failure(let e):
                let r = makeRecord(c, sha: photo.sha256, status: .rejected, prediction: nil,
                                   output: freeName(in: layout.rejected, c.original), ms: photo.milliseconds, error: e.reason, model: m.id)
                batch.append((c, r, e.kind))
            }
        }
        finish()
        committing.enter()
        let work = UncheckedSendable(batch)
        committer.async { [self] in
            commit(work.value)
            // Filed (or left in work/): from now on the name is taken on disk, or free again.
            lock.withLock { for (_, r, _) in work.value { reservedOutputs.remove(r.output) } }
            committing.leave()
        }
    }

    /// Waits until the batch being committed is recorded and filed.
    public func finish() { committing.wait() }

    private let committer = DispatchQueue(label: "fashionsort.commit")
    private let committing = DispatchGroup()

    /// The first 64 bits of a hex SHA-256.
    static func hashKey(_ hex: String) -> UInt64 { UInt64(hex.prefix(16), radix: 16) ?? 0 }

    private func makeRecord(_ c: Claim, sha: String, status: ResultRecord.Status, prediction: Prediction?, output: String,
                            ms: Double, error: String, model: String? = nil) -> ResultRecord {
        var r = ResultRecord(time: Self.timestamp(clock()), file: c.original, sha256: sha, status: status, prediction: prediction,
                             output: output, model: model ?? currentModel.id, milliseconds: ms, error: error)
        r.id = c.id
        return r
    }

    /// Record (append + fsync), then file. A failure to record leaves the
    /// files in work/ for the next start-up: nothing is lost.
    private func commit(_ batch: [(Claim, ResultRecord, String?)]) {
        do {
            try results.append(batch.map(\.1), day: Self.day(clock()))
        } catch {
            log("cannot record results, files stay in \(layout.work): \(error)", true)
            return
        }
        let now = DispatchTime.now().uptimeNanoseconds
        for (c, r, kind) in batch {
            finishMove(c.workPath, recordedOutput: r.output, original: c.original)
            if r.status == .rejected {
                log("rejected \(c.original): \(r.error)", true)
            } else {
                log("\(r.status.rawValue) \(c.original) as \(r.prediction!.best.label.name) (\(TextFormat.fixed(Double(r.prediction!.best.confidence), places: 3)))\(r.duplicateOf.isEmpty ? "" : ", duplicate of \(r.duplicateOf)")", false)
            }
            lock.withLock { stats.record(r, latency: Double(now &- c.arrival) / 1e6, kind: kind) }
        }
    }

    /// Moves a work file to the output it was recorded with (or a free variant).
    private func finishMove(_ work: String, recordedOutput: String, original: String) {
        let folder = (recordedOutput as NSString).deletingLastPathComponent
        let name = (recordedOutput as NSString).lastPathComponent
        do {
            let final = try FileMover.move(work, into: folder.isEmpty ? layout.rejected : folder, name: name.isEmpty ? original : name)
            if final != recordedOutput { log("\(original): \(recordedOutput) was taken meanwhile; filed as \(final)", true) }
        } catch {
            log("cannot file \(original): \(error); it stays in \(layout.work)", true)
        }
    }

    /// The first name not yet used in `folder`: the recorded output path. Names
    /// of batches not yet filed are reserved; looking at the reservations before
    /// the disk means a name filed meanwhile is seen in one place or the other.
    private func freeName(in folder: String, _ original: String) -> String {
        let base = (original as NSString).lastPathComponent
        let (stem, ext) = FileMover.split(base)
        for n in 0..<10_000 {
            let candidate = "\(folder)/\(n == 0 ? base : "\(stem)-\(n)\(ext)")"
            let taken = lock.withLock { reservedOutputs.contains(candidate) } || access(candidate, F_OK) == 0
            if !taken { lock.withLock { _ = reservedOutputs.insert(candidate) }; return candidate }
        }
        return "\(folder)/\(base)"
    }
    /// Output names chosen for batches not yet filed, so no two files get one name.
    private var reservedOutputs: Set<String> = []

    /// Made once: building a formatter per row cost more than the row.
    nonisolated(unsafe) private static let formatter: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
    private static let formatterLock = NSLock()

    static func timestamp(_ d: Date) -> String { formatterLock.withLock { formatter.string(from: d) } }

    static func day(_ d: Date) -> String { String(timestamp(d).prefix(10)) }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
