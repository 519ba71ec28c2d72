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
    /// A pipeline reading from a stream that has already been fed `files` (written as sample PNGs).
    func fed(
        _ root: String, batch: Int, _ files: [(path: String, seed: Int)]
    ) throws
        -> (Pipeline, AsyncStream<QueuedFile>.Continuation)
    {
        let (stream, feed) = AsyncStream.makeStream(of: QueuedFile.self)
        let p = try makePipeline(root, clock: Clock("2026-11-25T12:00:00Z"), batch: batch, files: stream)
        for f in files {
            try FileManager.default.createDirectory(
                atPath: (f.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            write(samplePNG(f.seed), to: f.path)
            feed.yield(QueuedFile(relative: String(f.path.dropFirst(root.count + "/inbox/".count)), arrival: 0))
        }
        return (p, feed)
    }

    @Test func recordsThenFilesEachPhotoOnce() async throws {
        let root = temporaryDirectory("proc")
        let clock = Clock("2026-11-25T23:59:59Z")
        let p = try makePipeline(root, clock: clock)
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

}
