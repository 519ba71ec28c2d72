import CLinux
import FileSystem
import Foundation
import Results
import Synchronization
import TestSupport
import Testing

/// Attacks by an upload account that can write only into the inbox, against the real binary: nothing it
/// does may make the daemon read, write or move anything outside its folders, or stop it.
@Suite(.serialized) struct HostileUploadTests {
    /// Critical: the real name of a file is what the daemon read, never an attribute the uploader set.
    @Test func aNameAttributeSetByTheUploaderIsNeverUsed() throws {
        let root = temporaryDirectory("xattr"), inbox = "\(root)/inbox"
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        func drop(_ name: [UInt8], attribute: String, seed: Int) throws {
            let staged = "\(root)/staged"
            write(samplePNG(seed), to: staged)
            try #require(setxattr(staged, "user.fashionsort.name", attribute, attribute.utf8.count, 0) == 0)
            let target = (Array(inbox.utf8) + [0x2F] + name + [0]).map { CChar(bitPattern: $0) }
            #expect(rename(staged, target) == 0)
        }
        try drop(Array("report%.jpg".utf8), attribute: "../../results/notes.csv", seed: 1)
        try drop([0xFF] + Array("x.png".utf8), attribute: "../escaped.png", seed: 2)
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 2 })
        usleep(500_000)
        let outputs = resultRows("\(root)/results").map { $0["output"]! }
        #expect(outputs.contains { $0.hasSuffix("/report%.jpg") && FileManager.default.fileExists(atPath: $0) })
        let results = try FileManager.default.contentsOfDirectory(atPath: "\(root)/results")
        #expect(results.allSatisfy { $0.hasSuffix(".csv") || $0.hasPrefix(".") }, "results/: \(results)")
        #expect(filesUnder(root).allSatisfy { !$0.contains("escaped") && !$0.contains("notes") })
        // The name that is not UTF-8 is filed under the bytes the daemon read.
        let folder = (outputs.first { $0.contains("%FF") }! as NSString).deletingLastPathComponent
        #expect(FileWalker.rawNames(in: folder).contains([0xFF] + Array("x.png".utf8)))
    }

    /// Critical: an uploader swapping a half-written photo and a FIFO under one name cannot block the
    /// daemon; later photos are recorded and SIGTERM stops it.
    @Test func aFIFOSwappedInNeverBlocksTheDaemon() throws {
        let root = temporaryDirectory("fifo-swap"), inbox = "\(root)/inbox"
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root), "--settle", "30"])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        let photo = samplePNG(9)
        write(Array(photo.prefix(photo.count / 2)), to: "\(inbox)/x.png")  // unfinished: the claim opens it
        #expect(mkfifo("\(inbox)/.pipe", 0o644) == 0)
        let swapping = Flag()
        let swapper = Thread {
            while swapping.isSet {
                _ = renameat2(AT_FDCWD, "\(inbox)/x.png", AT_FDCWD, "\(inbox)/.pipe", 2)  // RENAME_EXCHANGE
                utime("\(inbox)/x.png", nil)  // fresh again: the claim keeps opening it
            }
        }
        swapper.start()
        defer { swapping.clear() }
        for i in 0..<20 {
            write(samplePNG(i), to: "\(inbox)/later-\(i).png")
            usleep(100_000)
        }
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count >= 20 })
        swapping.clear()
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
    }

    /// The watchdog is fed while work moves on, and not while a step is stuck: a decompression bomb (a few
    /// tenths of a second to decode) with pings due every 0.05 s leaves gaps of four intervals or more in
    /// them, and they resume once the file is done.
    @Test func theWatchdogFollowsProgressNotTheClock() throws {
        let root = temporaryDirectory("watchdog")
        let notify = NotifyListener()
        let daemon = try DaemonProcess(
            root: root, arguments: ["--model", smallModel(in: root)], environment: notify.environment(watchdog: 0.1))
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        usleep(500_000)
        let bomb = try [UInt8](Data(contentsOf: fixture("ImageIntakeTests/Fixtures/bomb-8944x8944.png")))
        let dropped = Date()
        write(bomb, to: "\(root)/inbox/bomb.png")
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 1 })
        usleep(500_000)
        let pings = notify.times(of: "WATCHDOG=1")
        let gaps = zip(pings, pings.dropFirst()).filter { $0.0 >= dropped }.map { $0.1.timeIntervalSince($0.0) }
        #expect(gaps.contains { $0 > 0.2 }, "gaps: \(gaps)")
        #expect(pings.contains { $0 > Date().addingTimeInterval(-0.2) }, "pings resumed")
    }
}

/// A file of the test tree, by its path below Tests/.
func fixture(_ path: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(path)
}

/// A flag one thread clears and another reads.
final class Flag: Sendable {
    private let value = Mutex(true)
    var isSet: Bool { value.withLock { $0 } }
    func clear() { value.withLock { $0 = false } }
}
