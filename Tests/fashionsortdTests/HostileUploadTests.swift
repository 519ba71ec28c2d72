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
    /// `recursive`: a watched folder renamed away and a symbolic link to results/ put in its place. An event
    /// still named after the old path must not reach through the link; the moved folder is watched under
    /// its new name.
    @Test func aWatchedFolderSwappedForASymbolicLinkLeadsNowhere() throws {
        let root = temporaryDirectory("symlink-swap"), inbox = "\(root)/inbox"
        try FileManager.default.createDirectory(atPath: "\(inbox)/sub", withIntermediateDirectories: true)
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root), "--recursive"])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        write(samplePNG(1), to: "\(inbox)/first.png")
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 1 })
        let csv = try #require(
            try FileManager.default.contentsOfDirectory(atPath: "\(root)/results").first {
                $0.hasSuffix(".csv")
            })
        #expect(rename("\(inbox)/sub", "\(inbox)/moved") == 0)
        #expect(symlink("../results", "\(inbox)/sub") == 0)
        // Written in the moved folder under the name of today's results file.
        write(samplePNG(2), to: "\(inbox)/moved/\(csv)")
        write(samplePNG(3), to: "\(inbox)/moved/photo.png")
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 3 })
        usleep(500_000)
        let rows = resultRows("\(root)/results")
        #expect(Set(rows.map { $0["file"]! }) == ["first.png", "moved/\(csv)", "moved/photo.png"])
        #expect(FileManager.default.fileExists(atPath: "\(root)/results/\(csv)"))
        #expect(rows.allSatisfy { $0["status"] != "rejected" })
    }

    /// `recursive` with a tree deeper than PATH_MAX: the daemon starts (and starts again), says what it
    /// cannot watch, and the periodic scan finds the deep photo.
    @Test func aTreeDeeperThanAPathCanNameIsScannedNotFatal() throws {
        let root = temporaryDirectory("deep"), inbox = "\(root)/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        var fd = open(inbox, O_RDONLY | O_DIRECTORY)
        for level in 0..<300 {
            let name = String(format: "level-%03d-folder", level)
            #expect(mkdirat(fd, name, 0o755) == 0)
            let next = openat(fd, name, O_RDONLY | O_DIRECTORY)
            close(fd)
            fd = next
        }
        let photo = samplePNG(5)
        let file = openat(fd, "deep.png", O_WRONLY | O_CREAT, 0o644)
        _ = photo.withUnsafeBytes { Glibc.write(file, $0.baseAddress, $0.count) }
        close(file)
        close(fd)
        let model = smallModel(in: root)
        for start in 0..<2 {
            let daemon = try DaemonProcess(
                root: root, arguments: ["--model", model, "--recursive", "--rescan-interval", "1", "--settle", "0.5"])
            defer { daemon.signal(SIGKILL) }
            #expect(daemon.wait(for: "ready"), "start \(start)")
            #expect(daemon.log.contains("cannot be watched"))
            if start == 0 {
                #expect(waitUntil(timeout: 15) { resultRows("\(root)/results").count == 1 })
                #expect(resultRows("\(root)/results").first?["file"]?.hasSuffix("level-299-folder/deep.png") == true)
            }
            daemon.signal(SIGTERM)
            #expect(daemon.waitExit(timeout: 10) == 0)
        }
    }

    /// 32 names that differ only in Unicode normalisation (Mac uploads decompose, Windows compose): each is
    /// its own file, all processed at once, none waiting for a rescan.
    @Test func namesThatDifferOnlyInNormalisationAreAllProcessed() throws {
        let root = temporaryDirectory("nfc-nfd")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        for i in 0..<16 {
            write(samplePNG(i), to: "\(root)/inbox/caf\u{E9}-\(i).png")
            write(samplePNG(i + 16), to: "\(root)/inbox/cafe\u{301}-\(i).png")
        }
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 32 })
        #expect(Set(resultRows("\(root)/results").map { Array($0["file"]!.utf8) }).count == 32)
    }

    /// A daemon running as root: the uploader keeps a hidden hard link to its upload and rewrites it after
    /// the photo was filed. The filed photo is a private copy: the bytes that were hashed, one link.
    @Test func aHiddenHardLinkCannotRewriteTheFiledPhoto() throws {
        let root = temporaryDirectory("hidden-link"), inbox = "\(root)/inbox"
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        let photo = samplePNG(7)
        write(photo, to: "\(inbox)/.keep")
        #expect(link("\(inbox)/.keep", "\(inbox)/upload.png") == 0)
        #expect(waitUntilFiled(root, count: 1))
        let h = try #require(FileHandle(forWritingAtPath: "\(inbox)/.keep"))
        h.write(Data(repeating: 0x41, count: 4096))
        try h.close()
        let output = try #require(resultRows("\(root)/results").first?["output"])
        #expect(FileManager.default.contents(atPath: output) == Data(photo))
        var st = stat()
        #expect(lstat(output, &st) == 0 && st.st_nlink == 1)
    }

    /// Only inbox/ is the group's to write; every other folder the daemon makes is readable at most, and one an
    /// older version made group-writable is tightened at start.
    @Test func onlyTheInboxIsWritableByTheGroup() throws {
        let root = temporaryDirectory("modes")
        try FileManager.default.createDirectory(atPath: "\(root)/out/bag", withIntermediateDirectories: true)
        chmod("\(root)/out/bag", 0o770)
        let old = umask(0)
        defer { umask(old) }
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        func mode(_ path: String) -> mode_t {
            var st = stat()
            return stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
        }
        #expect(mode("\(root)/inbox") == 0o3770)
        for folder in ["results", "out", "out/bag", "review/coat", "other", "rejected", "work", "work/t"] {
            #expect(mode("\(root)/\(folder)") & 0o022 == 0, "\(folder): \(String(mode("\(root)/\(folder)"), radix: 8))")
        }
        write(samplePNG(1), to: "\(root)/inbox/a.png")
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 1 })
        let csv = try FileManager.default.contentsOfDirectory(atPath: "\(root)/results").first { $0.hasSuffix(".csv") }!
        #expect(mode("\(root)/results/\(csv)") & 0o022 == 0)
    }

    /// Why a photo went to other/ or review/ is in its row: the none-of-these share and the threshold.
    @Test func aHeldBackPhotoSaysWhichThresholdHeldIt() throws {
        let root = temporaryDirectory("held-why")
        let daemon = try DaemonProcess(
            root: root, arguments: ["--model", smallModel(in: root), "--review-threshold", "1"])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        write(samplePNG(3), to: "\(root)/inbox/a.png")
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 1 })
        let row = try #require(resultRows("\(root)/results").first)
        #expect(row["status"] == "review" || row["status"] == "other")
        #expect(Float(row["none_of_these"] ?? "") != nil)
        #expect(
            row["held_back_by"]?.hasPrefix("confidence ") == true
                || row["held_back_by"]?.hasPrefix("none of these ") == true)
        #expect(row["status"] != "review" || row["held_back_by"]?.hasSuffix("< 1.000") == true)
    }

    /// A folder dropped into a non-recursive inbox is logged once with the fix, not silently ignored.
    @Test func aFolderInANonRecursiveInboxIsNamedWithTheFix() throws {
        let root = temporaryDirectory("folder-drop")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        let upload = "\(root)/upload-2026-12-08"
        try FileManager.default.createDirectory(atPath: upload, withIntermediateDirectories: true)
        write(samplePNG(1), to: "\(upload)/a.png")
        #expect(rename(upload, "\(root)/inbox/upload-2026-12-08") == 0)
        #expect(daemon.wait(for: "not processed: the inbox is not recursive (set recursive: true)", timeout: 10))
        #expect(daemon.log.contains("folder=upload-2026-12-08"))
        #expect(
            waitUntil(timeout: 5) {
                (try? String(contentsOfFile: "\(root)/status.json", encoding: .utf8))?.contains(
                    "\"skipped_folders\" : 1")
                    ?? false
            })
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
