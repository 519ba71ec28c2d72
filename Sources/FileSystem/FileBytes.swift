import Glibc
import SystemPackage

/// Reads a whole regular file; FIFOs, devices, folders and symbolic links are refused without blocking,
/// and a file above `maxBytes` (by fstat, before anything is read or allocated).
public enum FileBytes {
    public static func read(_ path: String, maxBytes: Int = .max) throws(FileSystemError) -> [UInt8] {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec, .nonBlocking, .noFollow])
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
}
