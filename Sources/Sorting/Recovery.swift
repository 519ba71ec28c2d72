import FileSystem
import Glibc
import Inbox
import Logging
import SystemPackage

/// Finishes what a previous run left in work/: recorded files are only moved; a file that was being
/// decoded twice when the daemon died is quarantined; the rest are to be processed again.
struct Recovery {
    let layout: Layout
    let recorder: Recorder
    let attempts: AttemptLog
    let names: LongNames
    let logger: Logger

    /// The claims to process again.
    func run(model: String) async -> [Claim] {
        Self.drainStaging(layout, logger: logger)
        let files = FileWalker.names(in: layout.work)
        let recorded = await recorder.outputs(ids: Set(files.compactMap { Claimer.split(workName: $0)?.id }))
        let counts = attempts.strikes()
        let realNames = names.all()
        var again: [Claim] = [], quarantined: [Decided] = []
        for name in files {
            guard let (id, cut) = Claimer.split(workName: name) else { continue }
            let original = realNames[id]?.original ?? cut
            let claim = Claim(
                id: id, workPath: "\(layout.work)/\(name)", original: original, realName: realNames[id]?.realName,
                arrival: Monotonic.nanoseconds())
            if let output = recorded[id] {
                do {
                    try await recorder.file(claim, recordedOutput: output)
                    logger.info(
                        "recovered: recorded before the restart, move completed", metadata: ["file": "\(original)"])
                } catch {
                    logger.error(
                        "cannot file; it stays in work/ until the next start",
                        metadata: ["file": "\(original)", "error": "\(error)"])
                }
            } else if counts[id, default: 0] >= 2 {
                quarantined.append(
                    Decided(
                        rejected: claim, reason: "crashed or hung the daemon twice while decoding; quarantined",
                        kind: "quarantined"))
            } else {
                again.append(claim)
            }
        }
        await recorder.commit(quarantined, model: model)
        if files.isEmpty {
            attempts.clear()
            names.clear()
        }
        return again
    }

    /// Claims a crash left in the inbox's staging folder (an inbox on another filesystem) are copied on
    /// into work/ through their descriptors (the staging folder is inside the uploaders' inbox); one already
    /// copied there is only removed from staging.
    static func drainStaging(_ layout: Layout, logger: Logger) {
        guard let inbox = try? Directory(path: layout.inbox),
            let staging = try? inbox.folder([Array(".fashionsort".utf8), Array(layout.instance.utf8)]),
            let work = try? Directory(path: layout.work)
        else { return }
        for name in staging.names() {
            do {
                let staged = try staging.openForReading(name)
                defer { try? staged.close() }
                var st = stat()
                guard fstat(staged.rawValue, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                    throw FileSystemError(path: staging.path(of: name), reason: "not a regular file")
                }
                if work.status(name)?.st_size != st.st_size {
                    try work.writeCopy(of: staged, as: name, replacing: false)
                }
                staging.remove(name)
            } catch {
                logger.error("cannot move a claimed file into work/", metadata: ["error": "\(error)"])
            }
        }
    }
}
