import FileSystem
import Foundation
import Logging
import Synchronization

/// A claimed file: its work path, the name it had in the inbox and when it arrived.
public struct Claim: Sendable, Equatable {
    /// Sortable and unique across restarts and daemons: names the file in work/ as `<id>_<name>`.
    public var id: String
    public var workPath: String
    /// The name relative to the inbox.
    public var original: String
    public var arrival: UInt64
}

/// Takes files out of the inbox by renaming them into work/: rename(2)
/// succeeds for exactly one claimer, so two daemons never take one file.
public final class Claimer: Sendable {
    public let layout: Layout
    /// Seconds an empty file is left alone before it is claimed (and rejected as empty).
    public let emptyGrace: Double
    private let clock: @Sendable () -> Date
    private let sequence = Mutex<UInt64>(0)
    private let logger: Logger
    let longNames: LongNames

    public init(
        layout: Layout, emptyGrace: Double = 2, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.layout = layout
        self.emptyGrace = emptyGrace
        self.clock = clock
        self.logger = logger
        self.longNames = LongNames(path: layout.longNamesFile)
    }

    /// Claims what can be claimed; files another daemon took, or that vanished, are skipped.
    /// Anything not a regular file is left alone.
    public func claim(_ files: [QueuedFile]) -> [Claim] {
        files.compactMap(claim)
    }

    private func claim(_ file: QueuedFile) -> Claim? {
        var st = stat()
        guard lstat(file.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        // "Touch, then write": an empty file just closed is usually about to be
        // filled; the next close event or a later scan takes it.
        if st.st_size == 0 && clock().timeIntervalSince1970 - Double(st.st_mtim.tv_sec) < emptyGrace { return nil }
        let name = (file.path as NSString).lastPathComponent
        guard !IgnoreRules.ignores(name) else { return nil }
        let id = nextID()
        let original = relativeToInbox(file.path)
        // The claim id can make a long name too long for work/: the cut keeps the id, the sidecar the name.
        let (stem, ext) = FileName.split(name)
        let workName = FileName.fitted(id + "_" + stem, suffix: ext)
        if workName != "\(id)_\(name)" { longNames.note(id: id, original: original) }
        do {
            guard let work = try FileMover.claim(file.path, into: layout.work, name: workName) else { return nil }
            return Claim(id: id, workPath: work, original: original, arrival: file.arrival)
        } catch {
            logger.warning("claim failed", metadata: ["file": "\(file.path)", "error": "\(error.reason)"])
            return nil
        }
    }

    private func relativeToInbox(_ path: String) -> String {
        path.hasPrefix(layout.inbox + "/")
            ? String(path.dropFirst(layout.inbox.count + 1)) : (path as NSString).lastPathComponent
    }

    /// UTC time to the microsecond, a counter and the process id, in base 36.
    private func nextID() -> String {
        let n = sequence.withLock {
            $0 += 1; return $0
        }
        let t = UInt64(clock().timeIntervalSince1970 * 1e6)
        return String(t, radix: 36) + Self.base36(n % 1296) + Self.base36(UInt64(getpid()) % 1296)
    }

    private static func base36(_ n: UInt64) -> String {
        let s = String(n, radix: 36)
        return s.count >= 2 ? s : "0" + s
    }

    /// The id part of a work/ name (`<id>_<original>`).
    static func split(workName name: String) -> (id: String, original: String)? {
        guard let sep = name.firstIndex(of: "_") else { return nil }
        return (String(name[..<sep]), String(name[name.index(after: sep)...]))
    }
}
