import FashionModel
import Foundation
import TestSupport
import Testing
@testable import Results

@Suite struct ResultsIndexTests {
    static func record(
        _ id: String, file: String, sha: String, status: ResultRecord.Status = .classified
    )
        -> ResultRecord
    {
        var r = ResultRecord(
            time: "2026-12-02T00:00:00.000Z", file: file, sha256: sha, status: status, prediction: nil,
            output: "/out/\(file)", model: "m", milliseconds: 1)
        r.id = id
        return r
    }

    static let shaA = String(repeating: "a", count: 64), shaB = String(repeating: "b", count: 64)

    @Test func rowsAddedAreFoundAfterReopening() throws {
        let folder = temporaryDirectory("index")
        let log = ResultsLog(folder: folder, instance: "t")
        let rows = [Self.record("1", file: "a.png", sha: Self.shaA), Self.record("2", file: "b.png", sha: Self.shaB)]
        let end = try log.append(rows, day: "2026-12-02")
        try ResultsIndex(folder: folder).add(rows, csv: end.csv, bytes: end.bytes)

        let index = try ResultsIndex(folder: folder)
        #expect(index.firstFile(sha256: Self.shaA, noting: "again.png") == "a.png")
        #expect(index.outputs(ids: ["1", "2", "3"]) == ["1": "/out/a.png", "2": "/out/b.png"])
        // A new hash is noted for the batches in flight, then answered from the index once added.
        let shaC = String(repeating: "c", count: 64)
        #expect(index.firstFile(sha256: shaC, noting: "c.png") == nil)
        #expect(index.firstFile(sha256: shaC, noting: "c2.png") == "c.png")
    }

    /// A batch's look-ups in one go: recorded, noted by an earlier batch, repeated within the batch, new.
    @Test func aBatchIsLookedUpInOrder() throws {
        let folder = temporaryDirectory("index-batch")
        let rows = [Self.record("1", file: "a.png", sha: Self.shaA)]
        let end = try ResultsLog(folder: folder, instance: "t").append(rows, day: "2026-12-02")
        let index = try ResultsIndex(folder: folder)
        try index.add(rows, csv: end.csv, bytes: end.bytes)
        let shaC = String(repeating: "c", count: 64), shaD = String(repeating: "d", count: 64)
        #expect(index.firstFile(sha256: shaC, noting: "c.png") == nil)
        let found = index.firstFiles([
            (Self.shaA, "a2.png"), (shaC, "c2.png"), (shaD, "d.png"), (shaD, "d2.png"), (Self.shaB, "b.png"),
        ])
        #expect(found == ["a.png", "c.png", nil, "d.png", nil])
    }

    /// A crash between the CSV append and the index update, or an index deleted: the CSVs are the record,
    /// and what the index lacks is read from them when it is opened.
    @Test func rowsOnlyInTheCSVAreReadAtOpening() throws {
        let folder = temporaryDirectory("index-catch-up")
        let log = ResultsLog(folder: folder, instance: "t")
        let first = [Self.record("1", file: "a.png", sha: Self.shaA)]
        let end = try log.append(first, day: "2026-12-01")
        try ResultsIndex(folder: folder).add(first, csv: end.csv, bytes: end.bytes)
        // Appended without the index hearing of it, and a file of another day.
        try log.append([Self.record("2", file: "b.png", sha: Self.shaB)], day: "2026-12-01")
        try log.append([Self.record("3", file: "bad.jpg", sha: Self.shaA + "0", status: .rejected)], day: "2026-12-02")

        let index = try ResultsIndex(folder: folder)
        #expect(index.outputs(ids: ["1", "2", "3"]).count == 3)
        #expect(index.firstFile(sha256: Self.shaB, noting: "x") == "b.png")
        // A rejected file is nobody's first copy.
        #expect(index.firstFile(sha256: Self.shaA + "0", noting: "x") == nil)

        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: index.path + suffix) }
        let rebuilt = try ResultsIndex(folder: folder)
        #expect(rebuilt.outputs(ids: ["1", "2", "3"]).count == 3)
        #expect(rebuilt.firstFile(sha256: Self.shaA, noting: "x") == "a.png")
    }
}
