import FashionModel
import Foundation
import TestSupport
import Testing
@testable import Inbox

/// The claim → record → file state machine, driven directly with an injected clock.
@Suite struct ProcessorTests {
    final class Clock: @unchecked Sendable {
        var now: Date
        init(_ iso: String) { now = ISO8601DateFormatter().date(from: iso)! }
    }

    func make(_ root: String, clock: Clock) throws -> Processor {
        let layout = Layout(root: root, instance: "test")
        try layout.create()
        let model = try Model(contentsOf: smallModel(in: root))
        return Processor(layout: layout, model: model, clock: { clock.now })
    }

    @Test func recordsThenFilesEachPhotoOnce() throws {
        let root = temporaryDirectory("proc")
        let clock = Clock("2026-11-25T23:59:59Z")
        let p = try make(root, clock: clock)
        write(samplePNG(1), to: "\(root)/inbox/a.png")
        write(Array("not an image".utf8), to: "\(root)/inbox/b.jpg")
        p.process(p.claim([("\(root)/inbox/a.png", 0), ("\(root)/inbox/b.jpg", 0), ("\(root)/inbox/missing.png", 0)]))
        // The day changes between batches: a new results file, header again.
        clock.now = clock.now.addingTimeInterval(2)
        write(samplePNG(1), to: "\(root)/inbox/a.png")   // same name, same content
        p.process(p.claim([("\(root)/inbox/a.png", 0)]))

        let results = try FileManager.default.contentsOfDirectory(atPath: "\(root)/results").sorted()
        #expect(results == ["2026-11-25-test.csv", "2026-11-26-test.csv"])
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 3)
        let rejected = rows.first { $0["file"] == "b.jpg" }!
        #expect(rejected["status"] == "rejected" && rejected["error"]!.contains("not a PNG or JPEG"))
        #expect(FileManager.default.fileExists(atPath: rejected["output"]!))
        let a = rows.filter { $0["file"] == "a.png" }
        #expect(a.count == 2 && a[0]["output"] != a[1]["output"])
        #expect(a[1]["duplicate_of"] == "a.png" && a[0]["duplicate_of"] == "")
        for r in a { #expect(FileManager.default.fileExists(atPath: r["output"]!)) }
        #expect(filesUnder("\(root)/inbox").isEmpty)
        #expect(filesUnder("\(root)/work/test").filter { !$0.hasPrefix(".") }.isEmpty)
    }

    /// Batches submitted back to back (the next decoded while the last is still
    /// being filed) never share an output name, and all are filed by `finish`.
    @Test func overlappedBatchesNeverShareAName() throws {
        let root = temporaryDirectory("overlap")
        let p = try make(root, clock: Clock("2026-11-25T12:00:00Z"))
        for round in 0..<6 {
            var paths: [(String, UInt64)] = []
            for i in 0..<3 {
                let folder = "\(root)/inbox/r\(round)-\(i)"
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                write(samplePNG(i), to: "\(folder)/same.png")
                paths.append(("\(folder)/same.png", 0))
            }
            p.submit(p.claim(paths))
        }
        p.finish()
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 18)
        let outputs = rows.map { $0["output"]! }
        #expect(Set(outputs).count == 18)
        for o in outputs { #expect(FileManager.default.fileExists(atPath: o)) }
        #expect(filesUnder("\(root)/work/test").filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test func recoveryRedoesOnlyTheMoveForRecordedFiles() throws {
        let root = temporaryDirectory("recover")
        let clock = Clock("2026-11-25T10:00:00Z")
        var p = try make(root, clock: clock)
        write(samplePNG(2), to: "\(root)/inbox/done.png")
        write(samplePNG(3), to: "\(root)/inbox/pending.png")
        let claims = p.claim([("\(root)/inbox/done.png", 0), ("\(root)/inbox/pending.png", 0)])
        p.process([claims[0]])
        // Simulate a crash after recording but before filing: put the file back in work/.
        let row = resultRows("\(root)/results")[0]
        try FileManager.default.moveItem(atPath: row["output"]!, toPath: claims[0].workPath)

        p = try make(root, clock: clock)   // restart
        let again = p.recover()
        #expect(again.map(\.original) == ["pending.png"])
        #expect(FileManager.default.fileExists(atPath: row["output"]!))
        p.process(again)
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 2 && Set(rows.map { $0["file"]! }) == ["done.png", "pending.png"])
    }

    @Test func aFileThatKilledTheDaemonTwiceIsQuarantined() throws {
        let root = temporaryDirectory("quarantine")
        let clock = Clock("2026-11-25T10:00:00Z")
        var p = try make(root, clock: clock)
        write(samplePNG(4), to: "\(root)/inbox/poison.png")
        let c = p.claim([("\(root)/inbox/poison.png", 0)])[0]
        // Two decode attempts noted, no row: the daemon died twice on it.
        try (c.id + "\n" + c.id + "\n").write(toFile: "\(root)/work/test/.attempts", atomically: true, encoding: .utf8)
        p = try make(root, clock: clock)
        #expect(p.recover().isEmpty)
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 1 && rows[0]["status"] == "rejected" && rows[0]["error"]!.contains("quarantined"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/rejected/poison.png"))
    }

    @Test func claimIsExclusive() throws {
        let root = temporaryDirectory("claim")
        let clock = Clock("2026-11-25T10:00:00Z")
        let p1 = try make(root, clock: clock)
        let p2 = Processor(layout: Layout(root: root, instance: "other"), model: p1.currentModel, clock: { clock.now })
        try Layout(root: root, instance: "other").create()
        write(samplePNG(5), to: "\(root)/inbox/x.png")
        let a = p1.claim([("\(root)/inbox/x.png", 0)]), b = p2.claim([("\(root)/inbox/x.png", 0)])
        #expect(a.count + b.count == 1)
    }

    @Test func scannerWaitsForQuietFiles() throws {
        let dir = temporaryDirectory("scan")
        let s = InboxScanner(folder: dir, recursive: false, settle: 2)
        write(samplePNG(6), to: "\(dir)/fresh.png")
        write(samplePNG(6), to: "\(dir)/.hidden.png")
        write(samplePNG(6), to: "\(dir)/partial.png.part")
        symlink("/etc/passwd", "\(dir)/link.png")
        mkfifo("\(dir)/fifo.png", 0o644)
        #expect(s.scan().isEmpty)                       // just written: not yet quiet
        #expect(s.scan() == ["\(dir)/fresh.png"])       // unchanged since the last scan
        #expect(s.scan(now: Date().addingTimeInterval(10)) == ["\(dir)/fresh.png"])
    }
}

@Suite struct FileMoverTests {
    /// A crash between link(2) and unlink(2) leaves one file under two names;
    /// moving it again must finish the move, not make a second copy.
    @Test func interruptedMoveIsFinishedNotDuplicated() throws {
        let dir = temporaryDirectory("mover")
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: true)
        write(samplePNG(1), to: "\(dir)/work.png")
        link("\(dir)/work.png", "\(dir)/out/a.png")
        #expect(try FileMover.move("\(dir)/work.png", into: "\(dir)/out", name: "a.png") == "\(dir)/out/a.png")
        #expect(filesUnder("\(dir)/out") == ["a.png"] && !FileManager.default.fileExists(atPath: "\(dir)/work.png"))
        // A different file under the same name gets a suffix instead.
        write(samplePNG(2), to: "\(dir)/other.png")
        #expect(try FileMover.move("\(dir)/other.png", into: "\(dir)/out", name: "a.png") == "\(dir)/out/a-1.png")
    }
}
