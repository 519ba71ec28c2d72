import Foundation
@testable import FashionModel

/// Fashion-MNIST is installed by .ci/run (Debian dataset-fashion-mnist); the
/// tests that need it are skipped only where it is absent, with that reason.
let datasetInstalled = FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/t10k-images-idx3-ubyte.gz")

/// A fresh temporary folder, removed when the tests end.
func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "fashionsort-test-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    Scratch.register(path)
    return path
}

/// Temporary folders and files the tests make, removed when the test process
/// exits (set FASHIONSORT_KEEP_TEMP=1 to keep them for a post-mortem): a burst
/// test alone leaves a thousand photos behind.
enum Scratch {
    nonisolated(unsafe) private static var paths: [String] = []
    private static let lock = NSLock()

    static func register(_ path: String) {
        lock.withLock {
            if paths.isEmpty { atexit { Scratch.removeAll() } }
            paths.append(path)
        }
    }

    private static func removeAll() {
        guard ProcessInfo.processInfo.environment["FASHIONSORT_KEEP_TEMP"] == nil else { return }
        for path in lock.withLock({ paths }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
