import Foundation

/// Whole-file writes that never leave a half-written file under the final
/// name: write a temporary sibling, fsync it, rename over, fsync the folder.
public enum AtomicFile {
    public struct Failure: Error { public let reason: String }

    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let tmp = "\(path).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd); unlink(tmp)
                throw Failure(reason: reason)
            }
            off += n
        }
        guard fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno)); close(fd); unlink(tmp); throw Failure(reason: reason)
        }
        close(fd)
        guard rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno)); unlink(tmp); throw Failure(reason: reason)
        }
        let dir = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { fsync(dir); close(dir) }
    }

    public static func write(_ text: String, to path: String) throws(Failure) {
        try write(Array(text.utf8), to: path)
    }
}
