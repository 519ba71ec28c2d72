import Foundation
import Synchronization

/// A stand-in for systemd's notification socket: a Unix datagram socket whose messages (`READY=1`,
/// `WATCHDOG=1`, …) are kept with the time they arrived. Pass `environment` to the daemon.
public final class NotifyListener: Sendable {
    public let path: String
    private let fd: Int32
    private let received = Mutex<[(at: Date, message: String)]>([])

    public init() {
        path = temporaryDirectory("notify") + "/notify.sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let t = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n < 0 && errno != EAGAIN && errno != EINTR { return }
                if n > 0 {
                    let text = String(decoding: buffer[..<n], as: UTF8.self)
                    received.withLock { $0.append((Date(), text)) }
                }
            }
        }
        t.start()
    }

    /// `NOTIFY_SOCKET`, and `WATCHDOG_USEC` when a watchdog interval (seconds) is given.
    public func environment(watchdog: Double? = nil) -> [String: String] {
        var env = ["NOTIFY_SOCKET": path]
        if let watchdog { env["WATCHDOG_USEC"] = String(Int(watchdog * 1e6)) }
        return env
    }

    /// When each message containing `text` arrived.
    public func times(of text: String) -> [Date] {
        received.withLock { $0.filter { $0.message.contains(text) }.map(\.at) }
    }
}
