import Foundation
import TestSupport
import Testing

/// Faults and hostile files against the real binary: each promise of the README, one case at a time.
@Suite(.serialized) struct FaultTests {
    @Test func aSecondDaemonWithTheSameInstanceRefusesToStart() throws {
        let root = temporaryDirectory("lock")
        let model = smallModel(in: root)
        let first = try DaemonProcess(root: root, arguments: ["--model", model])
        #expect(first.wait(for: "ready"))
        let second = try DaemonProcess(root: root, arguments: ["--model", model])
        #expect(second.waitExit(timeout: 10) == 1)
        #expect(second.log.contains("another fashionsortd (pid \(first.process.processIdentifier)) runs instance 't'"))
        // Another instance on the same state directory is fine.
        let other = try DaemonProcess(root: root, instance: "u", arguments: ["--model", model])
        #expect(other.wait(for: "ready"))
        other.signal(SIGTERM)
        #expect(other.waitExit(timeout: 10) == 0)
        // kill -9 leaves no stale lock.
        first.signal(SIGKILL)
        _ = first.waitExit(timeout: 10)
        let third = try DaemonProcess(root: root, arguments: ["--model", model])
        #expect(third.wait(for: "ready"))
        third.signal(SIGTERM)
        #expect(third.waitExit(timeout: 10) == 0)
    }

    /// A 3 GB sparse file is refused from its size before a byte is read; the photos beside it flow on.
    @Test func aHugeFileIsRejectedUnreadAndQuickly() throws {
        let root = temporaryDirectory("huge")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root), "--max-file-size", "8"])
        #expect(daemon.wait(for: "ready"))
        let big = "\(root)/big.jpg"
        _ = FileManager.default.createFile(atPath: big, contents: Data([0xFF, 0xD8, 0xFF]))
        truncate(big, 3 << 30)
        rename(big, "\(root)/inbox/big.jpg")
        write(samplePNG(1), to: "\(root)/inbox/fine.png")
        let started = Date()
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 2 })
        #expect(Date().timeIntervalSince(started) < 5)
        let row = resultRows("\(root)/results").first { $0["file"] == "big.jpg" }
        #expect(row?["status"] == "rejected")
        #expect(row?["error"] == "too large: 3221225472 bytes, above the limit of 8388608")
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
    }
}
