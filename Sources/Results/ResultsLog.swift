import FileSystem
import Foundation
import Synchronization
import SystemPackage

/// Appends rows to results/YYYY-MM-DD-<instance>.csv (the UTC day of each row's own time), header once
/// per file, fsync after each batch. One file per instance because appends from several NFS clients to one
/// file interleave. The files are the user's too: a file an editor saved anew (a new inode) or removed is
/// noticed before the next append and opened again, and a last line typed without its newline is ended
/// before the next row.
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

    /// Rows appended to one file: its name in the folder, its length before and after them, and why it was
    /// opened anew, if it was (the open file was replaced or removed under the daemon).
    public struct Appended: Sendable, Equatable {
        public var csv: String
        /// The rows, in the order given to `append`.
        public var rows: Int
        public var start: Int, end: Int
        public var reopened: String?
    }

    /// Appends the rows, each to the file of its own day, and fsyncs, all or nothing per file: after a
    /// failed or short write the file is cut back to where it was, so no half row remains.
    @discardableResult
    public func append(_ records: [ResultRecord]) throws(FileSystemError) -> [Appended] {
        var done: [Appended] = [], rest = records[...]
        while let first = rest.first {
            let day = Timestamp.day(ofTime: first.time)
            let run = rest.prefix { Timestamp.day(ofTime: $0.time) == day }
            do { done.append(try append(Array(run), day: day)) } catch {
                // A batch across midnight: the earlier day's rows go too, so a retry writes each row once.
                for d in done { truncate("\(folder)/\(d.csv)", off_t(d.start)) }
                throw error
            }
            rest = rest.dropFirst(run.count)
        }
        return done
    }

    private func append(_ records: [ResultRecord], day: String) throws(FileSystemError) -> Appended {
        let p = path(day: day)
        do {
            return try open.withLock { open in
                let reopened = try descriptor(&open, day: day)
                let fd = open.file!
                let length = try fd.stat().size
                var text = length == 0 ? CSV.line(ResultRecord.daemonColumns) : ""
                if length > 0 && lastByte(fd, length: length) != 0x0A { text += "\n" }
                for r in records { text += CSV.line(r.values(ResultRecord.daemonColumns)) }
                let bytes = Array(text.utf8)
                do {
                    _ = try fd.writeAll(bytes)
                    guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
                } catch {
                    _ = ftruncate(fd.rawValue, off_t(length))
                    throw error
                }
                return Appended(
                    csv: (p as NSString).lastPathComponent, rows: records.count, start: Int(length),
                    end: Int(length) + bytes.count,
                    reopened: reopened)
            }
        } catch {
            throw FileSystemError(path: p, error)
        }
    }

    private func lastByte(_ fd: FileDescriptor, length: Int64) -> UInt8? {
        var byte: UInt8 = 0
        let n = try? withUnsafeMutableBytes(of: &byte) { try fd.read(fromAbsoluteOffset: length - 1, into: $0) }
        return n == 1 ? byte : nil
    }

    /// Makes `open` the day's file, opened for appending; returns why it was opened again when the file
    /// the daemon had open is no longer the one at its path.
    private func descriptor(_ open: inout (file: FileDescriptor?, day: String), day: String) throws -> String? {
        var reason: String?
        if let file = open.file, day == open.day {
            var atPath = stat(), st = stat()
            guard fstat(file.rawValue, &st) == 0 else { throw Errno(rawValue: errno) }
            if stat(path(day: day), &atPath) != 0 {
                reason = "the results file was removed"
            } else if atPath.st_ino != st.st_ino || atPath.st_dev != st.st_dev {
                reason = "the results file was replaced (saved by an editor?)"
            } else {
                return nil
            }
        }
        try? open.file?.close()
        open.file = nil
        // Read too: the last byte tells whether the file ends with a newline.
        let fd = try FileDescriptor.open(
            FilePath(path(day: day)), .readWrite, options: [.create, .append, .closeOnExec],
            permissions: [.ownerReadWrite, .groupRead, .otherRead])
        open = (fd, day)
        return reason
    }
}
