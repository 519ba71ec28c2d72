import Foundation
import FashionModel
import FileSystem
import Results
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
        let daemon = try DaemonProcess(
            root: root, arguments: ["--model", smallModel(in: root), "--max-file-size", "8"])
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

    /// Decompression bombs cost at most a second each, and SIGTERM does not wait for a batch of them: what is
    /// not decoded yet stays in work/ and is processed at the next start, once.
    @Test func sigtermDuringABatchOfBombsExitsWithinTwoSeconds() throws {
        let root = temporaryDirectory("bombs"), inbox = "\(root)/inbox"
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ImageIntakeTests/Fixtures/bomb-8944x8944.png")
        let bomb = try [UInt8](Data(contentsOf: fixture))
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        for i in 0..<8 { write(bomb, to: "\(inbox)/bomb-\(i).png") }
        let model = smallModel(in: root)
        let daemon = try DaemonProcess(root: root, arguments: ["--model", model])
        #expect(daemon.wait(for: "ready"))
        usleep(500_000)
        let asked = Date()
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        #expect(Date().timeIntervalSince(asked) < 2, "took \(Date().timeIntervalSince(asked)) s")
        let again = try DaemonProcess(root: root, arguments: ["--model", model])
        defer { again.signal(SIGKILL) }
        #expect(waitUntil(timeout: 60) { resultRows("\(root)/results").count >= 8 })
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 8 && Set(rows.map { $0["file"]! }).count == 8)
        #expect(filesUnder(inbox).isEmpty)
    }

    /// A photo written in two opens (resumable uploads, `rsync --inplace`) is taken once, whole;
    /// one that stays cut is rejected as truncated once it has been quiet for `settle` seconds.
    @Test func aPhotoWrittenInTwoOpensIsTakenWhole() throws {
        let root = temporaryDirectory("two-opens")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root), "--settle", "1"])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        let bytes = samplePNG(42), half = bytes.count / 2
        write(Array(bytes[..<half]), to: "\(root)/inbox/cut.png")
        write(Array(bytes[..<half]), to: "\(root)/inbox/a.png")
        usleep(500_000)
        let h = try #require(FileHandle(forWritingAtPath: "\(root)/inbox/a.png"))
        h.seekToEndOfFile()
        h.write(Data(bytes[half...]))
        try h.close()
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count >= 2 })
        usleep(1_500_000)  // nothing more may come
        let all = resultRows("\(root)/results")
        #expect(all.count == 2, "rows: \(all.map { "\($0["file"]!) \($0["status"]!)" })")
        let rows = Dictionary(all.map { ($0["file"]!, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(rows["a.png"]?["status"] != "rejected")
        #expect(rows["a.png"].flatMap { FileManager.default.contents(atPath: $0["output"]!) } == Data(bytes))
        #expect(rows["cut.png"]?["status"] == "rejected" && rows["cut.png"]?["error"]?.contains("truncated") == true)
    }
}

/// Full and read-only filesystems, on tmpfs mounts.
@Suite(.serialized, .enabled(if: canMountTmpfs, "needs root to mount a tmpfs")) struct FilesystemFaultTests {
    /// Every line of every results file has the header's field count: no half row, nothing glued on.
    func expectWellFormed(_ folder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".csv") {
            let rows = CSV.parse(try! String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8))
            #expect(rows.allSatisfy { $0.count == rows[0].count }, "\(name) has a malformed row")
        }
    }

    /// An inbox on another filesystem (an NFS or SMB share): claimed by a rename into a hidden folder on
    /// the inbox's filesystem, then copied into work/; every file is processed once, nothing is left behind.
    @Test func anInboxOnAnotherFilesystemIsProcessed() throws {
        let root = temporaryDirectory("cross-device"), inbox = "\(root)/inbox"
        #expect(mountTmpfs(at: inbox, kilobytes: 8192))
        defer { unmount(inbox) }
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        var sizes: [String: Int] = [:]
        for i in 0..<30 {
            let bytes = samplePNG(i)
            write(bytes, to: "\(inbox)/p-\(i).png")
            sizes["p-\(i).png"] = bytes.count
        }
        #expect(waitUntilFiled(root, count: 30, timeout: 30))
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 30 && Set(rows.map { $0["file"]! }) == Set(sizes.keys))
        for row in rows {
            #expect(row["status"] != "rejected", "\(row["file"]!): \(row["error"]!)")
            let size = (try? FileManager.default.attributesOfItem(atPath: row["output"]!)[.size] as? Int) ?? nil
            #expect(size == sizes[row["file"]!])
        }
        #expect(filesUnder(inbox).isEmpty, "left in the inbox: \(filesUnder(inbox))")
        #expect(!daemon.log.contains("claim failed"))
    }

    @Test func aFullDiskLosesNothingAndWritesNoHalfRow() throws {
        let root = temporaryDirectory("full")
        let results = "\(root)/results"
        #expect(mountTmpfs(at: results, kilobytes: 1024))
        defer { unmount(results) }
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root), "--batch", "8"])
        #expect(daemon.wait(for: "ready"))
        // Leave room for a few rows only (the index beside the CSVs has what it needs at start).
        var fs = statvfs()
        statvfs(results, &fs)
        let filler = "\(results)/filler"
        _ = FileManager.default.createFile(
            atPath: filler, contents: Data(count: Int(fs.f_bavail) * Int(fs.f_bsize) - 4 * 1024))
        var drops: [String: Int] = [:]
        for i in 0..<100 { write(samplePNG(i), to: "\(root)/inbox/f-\(i).png"); drops["f-\(i).png"] = 1 }
        #expect(waitUntil(timeout: 20) { daemon.log.contains("files wait in work/ and are retried") })
        #expect(
            waitUntil(timeout: 10) {
                (try? String(contentsOfFile: "\(root)/status.json", encoding: .utf8))?
                    .contains("No space left on device") ?? false
            })
        expectWellFormed(results)
        try FileManager.default.removeItem(atPath: filler)
        #expect(waitUntil(timeout: 60) { resultRows(results).count == 100 })
        #expect(daemon.wait(for: "recording and filing work again"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        expectWellFormed(results)
        DaemonTests().expectExactlyOnce(root, drops: drops)
    }

    @Test func aReadOnlyOutputFolderIsRetriedUntilWritable() throws {
        let root = temporaryDirectory("readonly")
        for folder in ["out", "review"] {
            #expect(mountTmpfs(at: "\(root)/\(folder)", kilobytes: 4096))
        }
        defer { unmount("\(root)/out"); unmount("\(root)/review") }
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        #expect(daemon.wait(for: "ready"))
        remount("\(root)/out", readOnly: true)
        remount("\(root)/review", readOnly: true)
        var drops: [String: Int] = [:]
        for i in 0..<20 { write(samplePNG(i), to: "\(root)/inbox/r-\(i).png"); drops["r-\(i).png"] = 1 }
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count == 20 })
        #expect(
            waitUntil(timeout: 10) {
                (try? String(contentsOfFile: "\(root)/status.json", encoding: .utf8))?
                    .contains("cannot file") ?? false
            })
        #expect(filesUnder("\(root)/work/t").filter { !$0.hasPrefix(".") }.count == 20)
        remount("\(root)/out", readOnly: false)
        remount("\(root)/review", readOnly: false)
        #expect(waitUntil(timeout: 60) { filesUnder("\(root)/work/t").filter { !$0.hasPrefix(".") }.isEmpty })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        DaemonTests().expectExactlyOnce(root, drops: drops)
        #expect(try String(contentsOfFile: "\(root)/status.json", encoding: .utf8).contains("\"error\"") == false)
    }
}

/// The inbox itself changing under the daemon, and files that arrive without a close.
@Suite(.serialized) struct InboxChangeTests {
    @Test(arguments: ["removed", "renamed"])
    func anInboxRemovedOrRenamedIsWatchedAgain(_ how: String) throws {
        let root = temporaryDirectory("rewatch")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        #expect(daemon.wait(for: "ready"))
        let inbox = "\(root)/inbox"
        if how == "removed" { try FileManager.default.removeItem(atPath: inbox) } else { rename(inbox, "\(root)/old") }
        #expect(daemon.wait(for: "the inbox was removed or renamed", timeout: 5))
        if how == "renamed" {
            try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: false)
        }
        #expect(daemon.wait(for: "watching the inbox again", timeout: 5))
        write(samplePNG(1), to: "\(inbox)/after.png")
        #expect(waitUntil(timeout: 5) { resultRows("\(root)/results").count == 1 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
    }

    @Test func aNameOf255BytesIsClaimedAndFiledUnderItself() throws {
        let root = temporaryDirectory("long-name")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        #expect(daemon.wait(for: "ready"))
        let name = String(repeating: "é", count: 125) + "x.png"  // 250 + 5 bytes
        #expect(name.utf8.count == 255)
        write(samplePNG(4), to: "\(root)/inbox/\(name)")
        write(samplePNG(4), to: "\(root)/inbox/x.png")  // duplicate content, its own name
        #expect(waitUntil(timeout: 5) { resultRows("\(root)/results").count == 2 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        let row = resultRows("\(root)/results").first { $0["file"] == name }
        #expect(row.map { FileManager.default.fileExists(atPath: $0["output"]!) } == true)
        #expect(row?["output"]?.hasSuffix("/\(name)") == true)
    }

    /// Names are bytes, not always UTF-8: such a file, there at start or dropped later, is processed under
    /// its %XX text, never skipped, and filed under its real name.
    @Test func aNameThatIsNotUTF8IsProcessedAndFiledUnderItsRealName() throws {
        let root = temporaryDirectory("not-utf8"), inbox = "\(root)/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        func drop(_ raw: [UInt8], _ bytes: [UInt8]) {
            let path = Array(inbox.utf8) + [0x2F] + raw + [0]
            let fd = path.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
            }
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        drop(Array("caf".utf8) + [0xE9] + Array(".png".utf8), samplePNG(1))  // Latin-1 é, there at start
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        drop([0xFF, 0xFE] + Array("-photo.png".utf8), samplePNG(2))  // dropped while running
        // Filed under the real names, in the folders the rows name.
        func filed() -> Set<[UInt8]> {
            Set(
                resultRows("\(root)/results").flatMap {
                    FileWalker.rawNames(in: ($0["output"]! as NSString).deletingLastPathComponent)
                })
        }
        let real = [Array("caf".utf8) + [0xE9] + Array(".png".utf8), [0xFF, 0xFE] + Array("-photo.png".utf8)]
        #expect(waitUntil(timeout: 20) { filed() == Set(real) })
        let rows = resultRows("\(root)/results")
        #expect(Set(rows.map { $0["file"]! }) == ["caf%E9.png", "%FF%FE-photo.png"])
        #expect(rows.allSatisfy { $0["status"] != "rejected" })
        #expect(FileWalker.rawNames(in: inbox).isEmpty)
    }

    @Test func aHardLinkIntoTheInboxIsTakenAtOnce() throws {
        let root = temporaryDirectory("hardlink")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        #expect(daemon.wait(for: "ready"))
        write(samplePNG(2), to: "\(root)/elsewhere.png")
        link("\(root)/elsewhere.png", "\(root)/inbox/linked.png")
        #expect(waitUntil(timeout: 5) { resultRows("\(root)/results").first?["file"] == "linked.png" })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
    }
}

@Suite(.serialized) struct ModelCheckDaemonTests {
    /// With `poll` (no inotify for the inbox) the model file is still looked at: a replaced one is noticed.
    @Test func aReplacedModelIsNoticedWhilePolling() throws {
        let root = temporaryDirectory("poll-model")
        let model = smallModel(in: root)
        let daemon = try DaemonProcess(root: root, arguments: ["--model", model, "--poll", "1"])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        try Model(architecture: .seed, seed: nil).save(to: "\(root)/next.safetensors")
        rename("\(root)/next.safetensors", model)
        #expect(daemon.wait(for: "new model refused", timeout: 10))
    }

    @Test func aModelThatAnswersTheSameForEverythingIsRefused() throws {
        let root = temporaryDirectory("zero-model")
        let zero = "\(root)/zero.safetensors"
        try Model(architecture: .seed, seed: nil).save(to: zero)
        let refused = try DaemonProcess(root: root, arguments: ["--model", zero])
        #expect(refused.waitExit(timeout: 10) == 1)
        #expect(refused.log.contains("\(zero): gives the same output for every built-in probe image"))
        // Swapped in while running: refused, the running model kept.
        let model = smallModel(in: root)
        let daemon = try DaemonProcess(root: root, arguments: ["--model", model])
        #expect(daemon.wait(for: "ready"))
        try Model(architecture: .seed, seed: nil).save(to: "\(root)/next.safetensors")
        rename("\(root)/next.safetensors", model)
        #expect(daemon.wait(for: "new model refused"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
    }
}
