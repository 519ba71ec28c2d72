import Foundation
import Glibc
import SystemPackage

/// Reads a whole regular file; FIFOs, devices, folders and symbolic links are refused without blocking,
/// and a file above `maxBytes` (by fstat, before anything is read or allocated).
public enum FileBytes {
    public static func read(_ path: String, maxBytes: Int = .max) throws(FileSystemError) -> [UInt8] {
        let fd: FileDescriptor
        do {
            fd = try open(path)
        } catch let error as Errno {
            throw FileSystemError(
                path: path, reason: error == .tooManySymbolicLinkLevels ? "is a symbolic link" : "\(error)")
        } catch {
            throw FileSystemError(path: path, error)
        }
        defer { try? fd.close() }
        do {
            let st = try fd.stat()
            guard st.type == .regular else { throw FileSystemError(path: path, reason: "not a regular file") }
            guard st.size <= maxBytes else {
                throw FileSystemError(
                    path: path, reason: "\(st.size) bytes, above the limit of \(maxBytes)", tooLarge: true)
            }
            // Filled by read(2) without zeroing first; a file that shrank meanwhile
            // is returned as far as it was read.
            var failure: (any Error)?
            let bytes = [UInt8](unsafeUninitializedCapacity: Int(st.size)) { buffer, count in
                count = 0
                while count < buffer.count {
                    do {
                        let n = try fd.read(
                            into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count...])))
                        if n == 0 { break }
                        count += n
                    } catch { failure = error; break }
                }
            }
            if let failure { throw failure }
            return bytes
        } catch {
            throw FileSystemError(path: path, error)
        }
    }

    /// Opens `path`; when nothing has that name and its last part is the %XX text of a name that is not
    /// UTF-8 (as `FileWalker` lists such names), the file of that real name.
    private static func open(_ path: String) throws -> FileDescriptor {
        let options: FileDescriptor.OpenOptions = [.closeOnExec, .nonBlocking, .noFollow]
        do {
            return try FileDescriptor.open(FilePath(path), .readOnly, options: options)
        } catch Errno.noSuchFileOrDirectory {
            let name = (path as NSString).lastPathComponent
            guard let raw = FileName.bytes(ofText: name), FileName.isPlainName(raw) else {
                throw Errno.noSuchFileOrDirectory
            }
            let real = (Array(path.utf8.dropLast(name.utf8.count)) + raw + [0]).map { CChar(bitPattern: $0) }
            return try real.withUnsafeBufferPointer {
                try FileDescriptor.open(FilePath(platformString: $0.baseAddress!), .readOnly, options: options)
            }
        }
    }
}
