import FashionModel
import Foundation
import Results
import TestSupport
import Testing

/// Daemon behaviour against the real binary: bursts, crashes, signals.
@Suite(.serialized) struct DaemonTests {
    /// Checks that every dropped name has exactly as many rows as drops, each
    /// row's output exists, nothing is left behind and nothing extra appeared.
    func expectExactlyOnce(_ root: String, drops: [String: Int]) {
        let rows = resultRows("\(root)/results")
        var perName: [String: Int] = [:]
        for r in rows { perName[r["file"]!, default: 0] += 1 }
        #expect(perName == drops, "rows per file differ from drops")
        let outputs = rows.map { $0["output"]! }
        #expect(Set(outputs).count == outputs.count, "two rows share an output path")
        for o in outputs { #expect(FileManager.default.fileExists(atPath: o), "missing \(o)") }
        let filed = ["out", "review", "other", "rejected"].flatMap { filesUnder("\(root)/\($0)") }
        #expect(filed.count == drops.values.reduce(0, +), "files filed: \(filed.count)")
        #expect(filesUnder("\(root)/inbox").isEmpty)
        #expect(filesUnder("\(root)/work/t").filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test func burstOfAThousandFilesIsAccountedExactlyOnce() throws {
        let root = temporaryDirectory("burst")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        #expect(daemon.wait(for: "ready"))
        let inbox = "\(root)/inbox"
        var drops: [String: Int] = [:]
        func drop(_ name: String, _ bytes: [UInt8]) {
            write(bytes, to: "\(inbox)/\(name)"); drops[name, default: 0] += 1
        }

        for i in 0..<880 { drop("photo-\(i).png", samplePNG(i)) }
        for i in 0..<40 {  // corrupt: truncated PNGs and noise
            drop(
                "broken-\(i).\(i % 2 == 0 ? "png" : "jpg")",
                i % 2 == 0 ? Array(samplePNG(i).prefix(60)) : (0..<300).map { UInt8(($0 * 31 + i) % 256) })
        }
        for i in 0..<20 { drop("copy-\(i).png", samplePNG(i)) }  // duplicates of photo-i
        for i in 0..<10 {  // "touch, then write": an empty file is closed before the content arrives
            let path = "\(inbox)/touched-\(i).png"
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            usleep(20_000)
            let h = FileHandle(forWritingAtPath: path)!
            h.write(Data(samplePNG(5000 + i)))
            try h.close()
            drops["touched-\(i).png", default: 0] += 1
        }
        for i in 0..<20 {  // renamed in after being written under a temporary name
            write(samplePNG(2000 + i), to: "\(inbox)/moved-\(i).png.part")
            rename("\(inbox)/moved-\(i).png.part", "\(inbox)/moved-\(i).png")
            drops["moved-\(i).png", default: 0] += 1
        }
        for i in 0..<10 {  // slowly written in three chunks through one open file
            let path = "\(inbox)/slow-\(i).png", bytes = samplePNG(3000 + i)
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            for part in 0..<3 {
                let chunk = Array(bytes[(bytes.count * part / 3)..<(bytes.count * (part + 1) / 3)])
                _ = chunk.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                usleep(30_000)
            }
            close(fd)
            drops["slow-\(i).png", default: 0] += 1
        }
        for i in 0..<20 {  // colliding names: the same name dropped again once the previous one was claimed
            #expect(waitUntil(timeout: 10) { !FileManager.default.fileExists(atPath: "\(inbox)/same.png") })
            drop("same.png", samplePNG(4000 + i))
        }
        #expect(drops.values.reduce(0, +) == 1000)
        #expect(
            waitUntil(timeout: 120) { resultRows("\(root)/results").count >= 1000 },
            "rows: \(resultRows("\(root)/results").count)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        expectExactlyOnce(root, drops: drops)
        let rows = resultRows("\(root)/results")
        #expect(rows.filter { $0["status"] == "rejected" }.count == 40)
        #expect(rows.filter { !$0["duplicate_of"]!.isEmpty }.count == 20)
    }

    @Test func killNineMidBurstThenRestartKeepsExactlyOnce() throws {
        let root = temporaryDirectory("kill9")
        let model = smallModel(in: root)
        // One file per batch (one fsync each) keeps the burst long enough to kill it midway.
        var daemon = try DaemonProcess(root: root, arguments: ["--model", model, "--batch", "1"])
        #expect(daemon.wait(for: "ready"))
        var drops: [String: Int] = [:], killed = false
        for i in 0..<1000 {
            write(samplePNG(i), to: "\(root)/inbox/k-\(i).png")
            drops["k-\(i).png"] = 1
            // Killed while files are still arriving: the daemon got fast enough to
            // finish the whole burst before a kill sent after the last write.
            if !killed && i % 25 == 0 && resultRows("\(root)/results").count >= 60 {
                daemon.signal(SIGKILL); killed = true
            }
        }
        if !killed {
            #expect(waitUntil(timeout: 60) { resultRows("\(root)/results").count >= 60 })
            daemon.signal(SIGKILL)
        }
        _ = daemon.waitExit(timeout: 5)
        let before = resultRows("\(root)/results").count
        #expect(before < 1000, "the kill came too late to test anything")
        daemon = try DaemonProcess(root: root, arguments: ["--model", model])
        #expect(daemon.wait(for: "ready"))
        #expect(waitUntil(timeout: 60) { resultRows("\(root)/results").count >= 1000 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        expectExactlyOnce(root, drops: drops)
    }

    @Test func sigtermDrainsInFlightWorkAndExitsZero() throws {
        let root = temporaryDirectory("term")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root), "--batch", "16"])
        #expect(daemon.wait(for: "ready"))
        for i in 0..<300 { write(samplePNG(i), to: "\(root)/inbox/t-\(i).png") }
        #expect(waitUntil(timeout: 30) { resultRows("\(root)/results").count >= 20 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 5) == 0)
        // Nothing half-done: every file is either recorded and filed or still in the inbox.
        let rows = resultRows("\(root)/results").count
        #expect(filesUnder("\(root)/work/t").filter { !$0.hasPrefix(".") }.isEmpty)
        #expect(rows + filesUnder("\(root)/inbox").count == 300)
        #expect(["out", "review", "rejected"].flatMap { filesUnder("\(root)/\($0)") }.count == rows)
    }

    /// A SIGTERM straight after READY must stop the daemon every time (it was
    /// once discarded when the signal disposition raced with Dispatch's handler).
    /// The counters in status.json count on across a restart of the same instance.
    @Test func statusCountersSurviveARestart() throws {
        let root = temporaryDirectory("counters")
        let model = smallModel(in: root)
        func processed() -> Int? {
            (try? DaemonStatus.read(from: "\(root)/status.json")).map(\.processed)
        }
        for (round, total) in [(0, 3), (1, 5)] {
            let daemon = try DaemonProcess(root: root, arguments: ["--model", model])
            #expect(daemon.wait(for: "ready"))
            for i in (round == 0 ? 0..<3 : 3..<5) { write(samplePNG(i), to: "\(root)/inbox/c-\(i).png") }
            #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == total })
            daemon.signal(SIGTERM)
            #expect(daemon.waitExit(timeout: 10) == 0)
            #expect(processed() == total)
        }
    }

    @Test func sigtermRightAfterReadyAlwaysStops() throws {
        let root = temporaryDirectory("term-early")
        let model = smallModel(in: root)
        for i in 0..<8 {
            let daemon = try DaemonProcess(root: "\(root)/\(i)", arguments: ["--model", model])
            #expect(daemon.wait(for: "ready"))
            daemon.signal(SIGTERM)
            #expect(daemon.waitExit(timeout: 5) == 0, "start \(i) did not stop on SIGTERM")
        }
    }

    @Test func sighupWithACorruptModelKeepsTheOldOne() throws {
        let root = temporaryDirectory("hup")
        let model = smallModel(in: root)
        let daemon = try DaemonProcess(root: root, arguments: ["--model", model])
        #expect(daemon.wait(for: "ready"))
        write(samplePNG(1), to: "\(root)/inbox/before.png")
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 1 })
        let oldID = resultRows("\(root)/results")[0]["model"]!
        write(Array("garbage, not safetensors".utf8), to: model)
        daemon.signal(SIGHUP)
        #expect(daemon.wait(for: "new model refused, still using \(oldID)"))
        write(samplePNG(2), to: "\(root)/inbox/after.png")
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 2 })
        #expect(resultRows("\(root)/results").allSatisfy { $0["model"] == oldID })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
    }

    @Test func pollingModeAndStartupBacklog() throws {
        let root = temporaryDirectory("poll")
        try FileManager.default.createDirectory(atPath: "\(root)/inbox", withIntermediateDirectories: true)
        for i in 0..<5 { write(samplePNG(i), to: "\(root)/inbox/early-\(i).png") }
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root), "--poll", "0.2"])
        #expect(daemon.wait(for: "ready"))
        for i in 0..<5 { write(samplePNG(10 + i), to: "\(root)/inbox/late-\(i).png") }
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count >= 10 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        expectExactlyOnce(
            root,
            drops: Dictionary(
                uniqueKeysWithValues: (0..<5).flatMap { ["early-\($0).png", "late-\($0).png"] }.map { ($0, 1) }))
    }

    @Test func recursiveModeWatchesFoldersCreatedLater() throws {
        let root = temporaryDirectory("recursive")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root), "--recursive"])
        #expect(daemon.wait(for: "ready"))
        try FileManager.default.createDirectory(atPath: "\(root)/inbox/new/deeper", withIntermediateDirectories: true)
        usleep(200_000)
        write(samplePNG(1), to: "\(root)/inbox/new/deeper/a.png")
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 1 })
        #expect(resultRows("\(root)/results").first?["file"] == "new/deeper/a.png")
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
    }

    @Test func unusableStateDirectoryAndModelAreReportedByName() throws {
        let dir = temporaryDirectory("perm")
        write([1, 2, 3], to: "\(dir)/afile")
        let bad = try DaemonProcess(root: "\(dir)/afile/state", arguments: ["--model", smallModel(in: dir)])
        #expect(bad.waitExit(timeout: 10) == 1)
        #expect(bad.log.contains("\(dir)/afile/state") && bad.log.contains("cannot create folder"))
        let noModel = try DaemonProcess(root: "\(dir)/state", arguments: ["--model", "\(dir)/none.safetensors"])
        #expect(noModel.waitExit(timeout: 10) == 1)
        #expect(noModel.log.contains("\(dir)/none.safetensors: cannot read model: no such file"))
    }

    @Test func inboxReceivingTheDaemonsOwnOutputIsRefused() throws {
        let root = temporaryDirectory("loop")
        let daemon = try DaemonProcess(
            root: root, arguments: ["--model", smallModel(in: root), "--inbox", root, "--recursive"])
        #expect(daemon.waitExit(timeout: 10) == 1)
        #expect(daemon.log.contains("--recursive would take them in again"))
    }

    @Test func replacedModelFileIsSwappedBetweenBatchesUnderAStreamOfFiles() throws {
        let root = temporaryDirectory("swap")
        let model = smallModel(in: root)
        let daemon = try DaemonProcess(root: root, arguments: ["--model", model])
        #expect(daemon.wait(for: "ready"))
        var drops: [String: Int] = [:]
        for i in 0..<150 {
            write(samplePNG(i), to: "\(root)/inbox/s-\(i).png")
            drops["s-\(i).png"] = 1
            if i == 50 {
                // Replace the model the way an installer would: a new file renamed over the old one.
                try FashionModel.Model(architecture: .seed, seed: 99).save(to: "\(root)/next.safetensors")
                rename("\(root)/next.safetensors", model)
            }
            usleep(30_000)
        }
        #expect(waitUntil(timeout: 30) { resultRows("\(root)/results").count >= 150 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        expectExactlyOnce(root, drops: drops)
        // Rows in time order switch model once, from the old id to the new one.
        let ids = resultRows("\(root)/results").sorted { $0["time"]! < $1["time"]! }.map { $0["model"]! }
        let switches = zip(ids, ids.dropFirst()).filter { $0 != $1 }.count
        #expect(Set(ids).count == 2 && switches == 1, "model ids: \(Set(ids))")
        #expect(daemon.log.contains("model reloaded: \(ids.first!) → \(ids.last!)"))
    }
}
