import Dispatch
import Glibc
import FileSystem
import Logging
import Results

/// Finishes what a previous run left in work/: recorded files are only
/// moved; a file that was being decoded twice when the daemon died is
/// quarantined; the rest are to be processed again.
struct Recovery {
    let layout: Layout
    let filer: Filer
    let attempts: AttemptLog
    let longNames: LongNames
    /// Claim id → recorded output, for the files still in work/.
    let recorded: [String: String]
    let logger: Logger

    init(
        layout: Layout, filer: Filer, attempts: AttemptLog, longNames: LongNames, index: ResultsIndex,
        logger: Logger
    ) {
        self.layout = layout
        self.filer = filer
        self.attempts = attempts
        self.longNames = longNames
        Self.drainStaging(layout, logger: logger)
        let inWork = Set(FileWalker.names(in: layout.work).compactMap { Claimer.split(workName: $0)?.id })
        self.recorded = index.outputs(ids: inWork)
        self.logger = logger
    }

    /// The claims to process again.
    func run(model: String) async -> [Claim] {
        let names = FileWalker.names(in: layout.work)
        let counts = attempts.strikes()
        let realNames = longNames.all()
        var again: [Claim] = [], quarantined: [Outcome] = []
        for name in names {
            guard let (id, cut) = Claimer.split(workName: name) else { continue }
            let original = realNames[id] ?? cut
            let claim = Claim(
                id: id, workPath: "\(layout.work)/\(name)", original: original,
                arrival: DispatchTime.now().uptimeNanoseconds)
            if let output = recorded[id] {
                do {
                    try filer.file(claim.workPath, recordedOutput: output, original: original)
                    logger.info(
                        "recovered: recorded before the restart, move completed", metadata: ["file": "\(original)"])
                } catch {
                    logger.error(
                        "cannot file; it stays in work/ until the next start",
                        metadata: [
                            "file": "\(original)", "error": "\(error)",
                        ])
                }
            } else if counts[id, default: 0] >= 2 {
                quarantined.append(quarantine(claim, model: model))
            } else {
                again.append(claim)
            }
        }
        await filer.commit(quarantined)
        if names.isEmpty {
            attempts.clear()
            longNames.clear()
        }
        return again
    }

    /// Claims a crash left in the inbox's staging folder (an inbox on another filesystem)
    /// are moved on into work/; one already copied there is only removed from staging.
    static func drainStaging(_ layout: Layout, logger: Logger) {
        for name in FileWalker.names(in: layout.staging) {
            let staged = "\(layout.staging)/\(name)", work = "\(layout.work)/\(name)"
            var a = stat(), b = stat()
            if lstat(work, &b) == 0 && lstat(staged, &a) == 0 && a.st_size == b.st_size {
                unlink(staged)
                continue
            }
            do { try FileMover.move(staged, into: layout.work, name: name) } catch {
                logger.error(
                    "cannot move a claimed file into work/", metadata: ["file": "\(staged)", "error": "\(error)"])
            }
        }
    }

    private func quarantine(_ c: Claim, model: String) -> Outcome {
        let record = filer.record(
            c, status: .rejected, sha256: "", prediction: nil,
            output: filer.reserveOutput(in: layout.rejected, for: c.original),
            model: model, milliseconds: 0, error: "crashed or hung the daemon twice while decoding; quarantined")
        return Outcome(claim: c, record: record, rejectKind: "quarantined")
    }
}
