import FashionModel
import Foundation
import Logging
import ServiceLifecycleTestKit
import Synchronization
import TestSupport
import Testing
import Inbox
@testable import Sorting

/// The claim → record → file state machine, driven directly with an injected clock.
@Suite struct PipelineTests {
    final class Clock: Sendable {
        private let time: Mutex<Date>
        init(_ iso: String) { time = Mutex(ISO8601DateFormatter().date(from: iso)!) }
        var now: Date {
            get { time.withLock { $0 } }
            set { time.withLock { $0 = newValue } }
        }
    }

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func make(
        _ root: String, clock: Clock, instance: String = "test", batch: Int = 256,
        files: AsyncStream<QueuedFile> = AsyncStream { $0.finish() }
    ) throws -> Pipeline {
        let layout = Layout(root: root, instance: instance)
        try layout.create()
        let model = try Model(contentsOf: smallModel(in: root))
        var options = Pipeline.Options()
        options.batch = batch
        return try Pipeline(
            layout: layout, model: model, options: options, files: files, clock: { clock.now },
            logger: Self.logger)
    }

    /// A pipeline reading from a stream that has already been fed `files` (written as sample PNGs).
    func fed(
        _ root: String, batch: Int, _ files: [(path: String, seed: Int)]
    ) throws
        -> (Pipeline, AsyncStream<QueuedFile>.Continuation)
    {
        let (stream, feed) = AsyncStream.makeStream(of: QueuedFile.self)
        let p = try make(root, clock: Clock("2026-11-25T12:00:00Z"), batch: batch, files: stream)
        for f in files {
            try FileManager.default.createDirectory(
                atPath: (f.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            write(samplePNG(f.seed), to: f.path)
            feed.yield(QueuedFile(relative: String(f.path.dropFirst(root.count + "/inbox/".count)), arrival: 0))
        }
        return (p, feed)
    }

    /// Inbox files by their paths.
    func queued(_ paths: String...) -> [QueuedFile] {
        paths.map { QueuedFile(relative: String($0[$0.range(of: "/inbox/")!.upperBound...]), arrival: 0) }
    }

    @Test func recordsThenFilesEachPhotoOnce() async throws {
        let root = temporaryDirectory("proc")
        let clock = Clock("2026-11-25T23:59:59Z")
        let p = try make(root, clock: clock)
        write(samplePNG(1), to: "\(root)/inbox/a.png")
        write(Array("not an image".utf8), to: "\(root)/inbox/b.jpg")
        await p.process(p.claim(queued("\(root)/inbox/a.png", "\(root)/inbox/b.jpg", "\(root)/inbox/missing.png")))
        // The day changes between batches: a new results file, header again.
        clock.now = clock.now.addingTimeInterval(2)
        write(samplePNG(1), to: "\(root)/inbox/a.png")  // same name, same content
        await p.process(p.claim(queued("\(root)/inbox/a.png")))

        let results = try FileManager.default.contentsOfDirectory(atPath: "\(root)/results").sorted()
        #expect(results.filter { $0.hasSuffix(".csv") } == ["2026-11-25-test.csv", "2026-11-26-test.csv"])
        #expect(results.filter { !$0.hasSuffix(".csv") }.allSatisfy { $0.hasPrefix(".index.sqlite") })
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

    /// Batches run back to back (the next decoded while the last is still
    /// being filed) never share an output name, and all are filed when `run` ends.
    @Test func overlappedBatchesNeverShareAName() async throws {
        let root = temporaryDirectory("overlap")
        let (p, feed) = try fed(
            root, batch: 3, (0..<18).map { ("\(root)/inbox/r\($0 / 3)-\($0 % 3)/same.png", $0 % 3) })
        feed.finish()
        try await p.run()
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 18)
        let outputs = rows.map { $0["output"]! }
        #expect(Set(outputs).count == 18)
        for o in outputs { #expect(FileManager.default.fileExists(atPath: o)) }
        #expect(filesUnder("\(root)/work/test").filter { !$0.hasPrefix(".") }.isEmpty)
    }

    /// A graceful shutdown ends `run` after the batch in flight: what was taken is recorded and
    /// filed, what was not stays in the inbox, and nothing is left in work/.
    @Test func gracefulShutdownFinishesTheBatchInFlight() async throws {
        let root = temporaryDirectory("shutdown")
        let (p, feed) = try fed(root, batch: 4, (0..<40).map { ("\(root)/inbox/g-\($0).png", $0) })
        defer { feed.finish() }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup { group in
                group.addTask { try await p.run() }
                while resultRows("\(root)/results").isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        let rows = resultRows("\(root)/results").count
        #expect(rows > 0)
        #expect(rows + filesUnder("\(root)/inbox").count == 40)
        #expect(filesUnder("\(root)/work/test").filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test func recoveryRedoesOnlyTheMoveForRecordedFiles() async throws {
        let root = temporaryDirectory("recover")
        let clock = Clock("2026-11-25T10:00:00Z")
        var p = try make(root, clock: clock)
        write(samplePNG(2), to: "\(root)/inbox/done.png")
        write(samplePNG(3), to: "\(root)/inbox/pending.png")
        let claims = p.claim(queued("\(root)/inbox/done.png", "\(root)/inbox/pending.png"))
        await p.process([claims[0]])
        // Simulate a crash after recording but before filing: put the file back in work/.
        let row = resultRows("\(root)/results")[0]
        try FileManager.default.moveItem(atPath: row["output"]!, toPath: claims[0].workPath)

        p = try make(root, clock: clock)  // restart
        let again = await p.recover()
        #expect(again.map(\.original) == ["pending.png"])
        #expect(FileManager.default.fileExists(atPath: row["output"]!))
        await p.process(again)
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 2 && Set(rows.map { $0["file"]! }) == ["done.png", "pending.png"])
    }

    /// A name the claim id makes too long for work/ keeps its real name through a restart.
    @Test func aLongNameSurvivesRecovery() async throws {
        let root = temporaryDirectory("long")
        let clock = Clock("2026-11-25T10:00:00Z")
        var p = try make(root, clock: clock)
        let name = String(repeating: "n", count: 251) + ".png"
        write(samplePNG(7), to: "\(root)/inbox/\(name)")
        let claims = p.claim(queued("\(root)/inbox/\(name)"))
        #expect(claims.count == 1 && claims[0].original == name)
        p = try make(root, clock: clock)  // the daemon died before decoding it
        let again = await p.recover()
        #expect(again.map(\.original) == [name])
        await p.process(again)
        let output = resultRows("\(root)/results").first?["output"] ?? ""
        #expect(output.hasSuffix("/" + name) && FileManager.default.fileExists(atPath: output))
    }

    @Test func aFileThatKilledTheDaemonTwiceIsQuarantined() async throws {
        let root = temporaryDirectory("quarantine")
        let clock = Clock("2026-11-25T10:00:00Z")
        var p = try make(root, clock: clock)
        write(samplePNG(4), to: "\(root)/inbox/poison.png")
        let c = p.claim(queued("\(root)/inbox/poison.png"))[0]
        // Two decode attempts noted, no row: the daemon died twice on it.
        try (c.id + "\n" + c.id + "\n").write(toFile: "\(root)/work/test/.attempts", atomically: false, encoding: .utf8)
        p = try make(root, clock: clock)
        #expect(await p.recover().isEmpty)
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 1 && rows[0]["status"] == "rejected" && rows[0]["error"]!.contains("quarantined"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/rejected/poison.png"))
    }

    @Test func claimIsExclusive() throws {
        let root = temporaryDirectory("claim")
        let clock = Clock("2026-11-25T10:00:00Z")
        let p1 = try make(root, clock: clock), p2 = try make(root, clock: clock, instance: "other")
        write(samplePNG(5), to: "\(root)/inbox/x.png")
        let a = p1.claim(queued("\(root)/inbox/x.png")), b = p2.claim(queued("\(root)/inbox/x.png"))
        #expect(a.count + b.count == 1)
    }
}
