import Foundation
import Inbox

/// sd_notify(3) without libsystemd: one datagram to the Unix socket named by
/// NOTIFY_SOCKET (a leading '@' is Linux's abstract namespace).
public struct SystemdNotifier: Sendable {
    public let socketPath: String?
    /// Half of WatchdogSec, if systemd asked for pings.
    public let watchdogInterval: Double?

    public init(environment env: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = env["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        watchdogInterval = env["WATCHDOG_USEC"].flatMap(Double.init).map { $0 / 2e6 }
    }

    public func notify(_ state: String) {
        guard let socketPath else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        guard path.count < MemoryLayout.size(ofValue: addr.sun_path) else { return }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: path) }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
        _ = state.withCString { msg in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, msg, strlen(msg), 0, $0, len) }
            }
        }
    }
}
