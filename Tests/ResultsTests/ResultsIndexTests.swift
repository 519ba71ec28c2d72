import FashionModel
import Foundation
import TestSupport
import Testing
@testable import Results

@Suite struct ResultsIndexTests {
    static func record(
        _ id: String, file: String, sha: String, status: ResultRecord.Status = .classified, day: String = "2026-12-02"
    )
        -> ResultRecord
    {
        var r = ResultRecord(
            time: "\(day)T00:00:00.000Z", file: file, sha256: sha, status: status, prediction: nil,
            output: "/out/\(file)", model: "m", milliseconds: 1)
        r.id = id
        return r
    }

    static let shaA = String(repeating: "a", count: 64), shaB = String(repeating: "b", count: 64)

    @Test func rowsAddedAreFoundAfterReopening() throws {
        let folder = temporaryDirectory("index")
        let log = ResultsLog(folder: folder, instance: "t")
        let rows = [Self.record("1", file: "a.png", sha: Self.shaA), Self.record("2", file: "b.png", sha: Self.shaB)]
        let end = try log.append(rows)
        try ResultsIndex(folder: folder).add(rows, appended: end[0])

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
        let end = try ResultsLog(folder: folder, instance: "t").append(rows)
        let index = try ResultsIndex(folder: folder)
        try index.add(rows, appended: end[0])
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
        let first = [Self.record("1", file: "a.png", sha: Self.shaA, day: "2026-12-01")]
        let end = try log.append(first)
        try ResultsIndex(folder: folder).add(first, appended: end[0])
        // Appended without the index hearing of it, and a file of another day.
        try log.append([Self.record("2", file: "b.png", sha: Self.shaB, day: "2026-12-01")])
        try log.append([Self.record("3", file: "bad.jpg", sha: Self.shaA + "0", status: .rejected)])

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

    /// Rows recorded while an add failed (the index locked by another process, its disk full) are read from
    /// the CSV by the next add, so the first file of a content is never lost to a gap.
    @Test func theNextAddCatchesUpWhatAFailedAddMissed() throws {
        let folder = temporaryDirectory("index-gap")
        let log = ResultsLog(folder: folder, instance: "t")
        let index = try ResultsIndex(folder: folder)
        let first = [Self.record("1", file: "a.png", sha: Self.shaA)]
        try index.add(first, appended: try log.append(first)[0])
        _ = try log.append([Self.record("2", file: "b.png", sha: Self.shaB)])  // its add failed
        let third = [Self.record("3", file: "b-again.png", sha: Self.shaB)]
        try index.add(third, appended: try log.append(third)[0])
        #expect(index.outputs(ids: ["1", "2", "3"]).count == 3)
        #expect(index.firstFile(sha256: Self.shaB, noting: "x") == "b.png")
    }

    /// A batch decided across midnight goes to the files of its rows' own days.
    @Test func eachRowGoesToTheFileOfItsOwnDay() throws {
        let folder = temporaryDirectory("index-midnight")
        let appended = try ResultsLog(folder: folder, instance: "t").append([
            Self.record("1", file: "a.png", sha: Self.shaA, day: "2026-12-01"),
            Self.record("2", file: "b.png", sha: Self.shaB, day: "2026-12-02"),
        ])
        #expect(appended.map(\.csv) == ["2026-12-01-t.csv", "2026-12-02-t.csv"] && appended.map(\.rows) == [1, 1])
    }

    /// CSVs in results/ are the user's to open: an export with blank column titles is skipped with a note,
    /// a file whose header was removed is read with the daemon's columns, and nothing traps.
    @Test func foreignAndHeaderlessCSVsNeverTrap() throws {
        let folder = temporaryDirectory("index-foreign")
        try "a,,\n1,2,3\n".write(toFile: "\(folder)/export.csv", atomically: true, encoding: .utf8)
        let rows = [Self.record("1", file: "a.png", sha: Self.shaA)]
        let csv = "\(folder)/" + (try ResultsLog(folder: folder, instance: "t").append(rows))[0].csv
        let bytes = try Data(contentsOf: URL(fileURLWithPath: csv))
        try bytes[(bytes.firstIndex(of: 0x0A)! + 1)...].write(to: URL(fileURLWithPath: csv))  // header removed
        let index = try ResultsIndex(folder: folder)
        #expect(index.outputs(ids: ["1"]) == ["1": "/out/a.png"])
        #expect(index.notes.count == 1 && index.notes[0].contains("export.csv: not a FashionSort results file"))
    }

    /// The index is a cache: one overwritten with garbage is moved aside, said so, and rebuilt.
    @Test func aBrokenIndexIsMovedAsideAndRebuilt() throws {
        let folder = temporaryDirectory("index-garbage")
        let rows = [Self.record("1", file: "a.png", sha: Self.shaA)]
        try ResultsLog(folder: folder, instance: "t").append(rows)
        try String(repeating: "garbage ", count: 1000).write(
            toFile: ResultsIndex.path(folder: folder), atomically: true, encoding: .utf8)
        let index = try ResultsIndex(folder: folder)
        #expect(index.outputs(ids: ["1"]) == ["1": "/out/a.png"])
        #expect(index.notes.first?.contains("moved to") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).contains { $0.contains(".broken-") })
    }
}
