import Foundation
import Synchronization

/// A fresh folder under the system's temporary directory, removed when the
/// test process exits.
public func temporaryDirectory(_ tag: String = "test") -> String {
    let path = NSTemporaryDirectory() + "fashionsort-\(tag)-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    Scratch.register(path)
    return path
}

/// The folders `temporaryDirectory` made, removed when the test process exits
/// (set FASHIONSORT_KEEP_TEMP=1 to keep them for a post-mortem): a burst test
/// alone leaves a thousand photos behind.
private enum Scratch {
    private static let paths = Mutex<[String]>([])

    static func register(_ path: String) {
        paths.withLock { paths in
            if paths.isEmpty { atexit { Scratch.removeAll() } }
            paths.append(path)
        }
    }

    private static func removeAll() {
        guard ProcessInfo.processInfo.environment["FASHIONSORT_KEEP_TEMP"] == nil else { return }
        for path in paths.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
