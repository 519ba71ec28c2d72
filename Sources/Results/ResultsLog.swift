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
    /// Returns the file's name in the folder and its length after the rows.
    @discardableResult
    public func append(_ records: [ResultRecord], day: String) throws(FileSystemError) -> (csv: String, bytes: Int) {
        let p = path(day: day)
        guard !records.isEmpty else { return ((p as NSString).lastPathComponent, 0) }
        do {
            return try open.withLock { open in
                let fd = try descriptor(&open, day: day)
                let length = try fd.stat().size
                var text = length == 0 ? CSV.line(ResultRecord.daemonColumns) : ""
                for r in records { text += CSV.line(r.values(ResultRecord.daemonColumns)) }
                let bytes = Array(text.utf8)
                do {
                    _ = try fd.writeAll(bytes)
                    guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
                } catch {
                    _ = ftruncate(fd.rawValue, off_t(length))
                    throw error
                }
                return ((p as NSString).lastPathComponent, Int(length) + bytes.count)
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
}
