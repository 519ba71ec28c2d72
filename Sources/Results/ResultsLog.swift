import FileSystem
import Foundation
import Synchronization
import SystemPackage

/// Appends rows to results/YYYY-MM-DD-<instance>.csv (UTC day), header once
/// per file, fsync after each batch. One file per instance because appends
/// from several NFS clients to one file interleave.
public final class ResultsLog: Sendable {
    public let folder: String
    public let instance: String
    /// The open file and its UTC day; appends are serialised by the lock.
    private let open = Mutex<(file: FileDescriptor?, day: String)>((nil, ""))

    public init(folder: String, instance: String) {
        self.folder = folder
        self.instance = instance
    }

    deinit { try? open.withLock { $0.file }?.close() }

    public func path(day: String) -> String { "\(folder)/\(day)-\(instance).csv" }

    /// Appends the rows and fsyncs, all or nothing: after a failed or short
    /// write the file is cut back to where it was, so no half row remains.
    public func append(_ records: [ResultRecord], day: String) throws(FileSystemError) {
        guard !records.isEmpty else { return }
        let p = path(day: day)
        do {
            try open.withLock { open in
                let fd = try descriptor(&open, day: day)
                let length = try fd.stat().size
                var text = length == 0 ? CSV.line(ResultRecord.daemonColumns) : ""
                for r in records { text += CSV.line(r.values(ResultRecord.daemonColumns)) }
                do {
                    _ = try fd.writeAll(Array(text.utf8))
                    guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
                } catch {
                    _ = ftruncate(fd.rawValue, off_t(length))
                    throw error
                }
            }
        } catch {
            throw FileSystemError(path: p, error)
        }
    }

    /// The day's file, opened for appending once per day.
    private func descriptor(_ open: inout (file: FileDescriptor?, day: String), day: String) throws -> FileDescriptor {
        if let file = open.file, day == open.day { return file }
        try? open.file?.close()
        open.file = nil
        let fd = try FileDescriptor.open(
            FilePath(path(day: day)), .writeOnly, options: [.create, .append, .closeOnExec],
            permissions: [.ownerReadWrite, .groupRead, .otherRead])
        open = (fd, day)
        return fd
    }

    /// Rows already recorded by any instance: `claim id → output` and the
    /// first file seen per content hash. Read once at start-up for recovery
    /// and duplicate detection.
    public static func history(folder: String) -> (recorded: [String: String], firstByHash: [String: String]) {
        var recorded: [String: String] = [:], first: [String: String] = [:]
        for f in FileWalker.names(in: folder) where f.hasSuffix(".csv") {
            guard let text = try? String(contentsOfFile: "\(folder)/\(f)", encoding: .utf8) else { continue }
            var header: [String] = []
            for line in CSV.parse(text) {
                if header.isEmpty { header = line; continue }
                guard line.count == header.count else { continue }
                let row = Dictionary(uniqueKeysWithValues: zip(header, line))
                guard let sha = row["sha256"], let file = row["file"] else { continue }
                if let id = row["id"], !id.isEmpty { recorded[id] = row["output"] ?? "" }
                if !sha.isEmpty && first[sha] == nil && row["status"] != "rejected" { first[sha] = file }
            }
        }
        return (recorded, first)
    }
}
