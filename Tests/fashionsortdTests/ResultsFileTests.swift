import CSQLite
import Foundation
import Results
import TestSupport
import Testing

/// The results folder is the user's to open in an editor or a spreadsheet; nothing done there may lose a
/// row, glue rows together or stop the daemon. Against the real binary.
@Suite(.serialized) struct ResultsFileTests {
    func todaysCSV(_ root: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(root)/results").filter {
            $0.hasSuffix(".csv")
        }
        return "\(root)/results/\(try #require(names.first))"
    }

    func drop(_ root: String, _ range: Range<Int>, prefix: String = "p") {
        for i in range { write(samplePNG(i), to: "\(root)/inbox/\(prefix)-\(i).png") }
    }

    /// Saved by `sed -i` (a new file renamed over it) or removed: the next rows go to the file at the path,
    /// and the log says the file was opened again.
    @Test(arguments: ["replaced", "removed"])
    func aResultsFileEditedOrRemovedKeepsEveryLaterRow(_ how: String) throws {
        let root = temporaryDirectory("csv-\(how)")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        drop(root, 0..<10)
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 10 })
        let csv = try todaysCSV(root)
        if how == "replaced" {
            let text = try String(contentsOfFile: csv, encoding: .utf8)
            try text.write(toFile: csv + ".sed", atomically: false, encoding: .utf8)
            #expect(rename(csv + ".sed", csv) == 0)
        } else {
            #expect(unlink(csv) == 0)
        }
        drop(root, 10..<20)
        let expected = how == "replaced" ? 20 : 10
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == expected })
        usleep(300_000)
        #expect(resultRows("\(root)/results").count == expected)
        #expect(daemon.log.contains("the results file was \(how)"))
        if how == "removed" {
            #expect(try String(contentsOfFile: csv, encoding: .utf8).hasPrefix("time,file,"), "a fresh header")
        }
    }

    /// A line typed at the end without its newline (Notepad, VS Code): the daemon's next row starts on a line
    /// of its own, whole.
    @Test func aRowIsNeverGluedToALineWithoutItsNewline() throws {
        let root = temporaryDirectory("csv-newline")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        drop(root, 0..<1)
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 1 })
        let csv = try todaysCSV(root)
        let h = try #require(FileHandle(forWritingAtPath: csv))
        h.seekToEndOfFile()
        h.write(Data("my note".utf8))
        try h.close()
        drop(root, 1..<2)
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").contains { $0["file"] == "p-1.png" } })
        let lines = CSV.parse(try String(contentsOfFile: csv, encoding: .utf8))
        #expect(lines.count == 4 && lines[2] == ["my note"] && lines[3].count == lines[0].count)
    }

    /// A foreign CSV (two blank column titles) and today's CSV with its header removed, the index gone:
    /// the daemon starts, says what it skipped, and `fashionsort reindex` does the same.
    @Test func foreignCSVsAndABrokenIndexNeverStopTheDaemon() throws {
        let root = temporaryDirectory("csv-foreign")
        let model = smallModel(in: root)
        var daemon = try DaemonProcess(root: root, arguments: ["--model", model])
        #expect(daemon.wait(for: "ready"))
        drop(root, 0..<3)
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").count == 3 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        let csv = try todaysCSV(root)
        try "name,,\nshirt,1,2\n".write(toFile: "\(root)/results/export.csv", atomically: true, encoding: .utf8)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: csv))
        try bytes[(bytes.firstIndex(of: 0x0A)! + 1)...].write(to: URL(fileURLWithPath: csv))
        for suffix in ["", "-wal", "-shm"] { unlink("\(root)/results/.index.sqlite" + suffix) }
        daemon = try DaemonProcess(root: root, arguments: ["--model", model])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        #expect(daemon.log.contains("export.csv: not a FashionSort results file"))
        // The header-less rows were read: a copy of p-0.png is a duplicate of it.
        write(samplePNG(0), to: "\(root)/inbox/copy.png")
        let duplicateOf = ResultRecord.daemonColumns.firstIndex(of: "duplicate_of")!
        #expect(
            waitUntil(timeout: 10) {
                let lines = CSV.parse((try? String(contentsOfFile: csv, encoding: .utf8)) ?? "")
                return lines.count == 4 && lines[3].count > duplicateOf && lines[3][duplicateOf] == "p-0.png"
            })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        // An index overwritten with garbage (and no write-ahead log to recover its pages from) is moved aside
        // and rebuilt, at start.
        for suffix in ["-wal", "-shm"] { unlink("\(root)/results/.index.sqlite" + suffix) }
        try String(repeating: "garbage ", count: 512).write(
            toFile: "\(root)/results/.index.sqlite", atomically: true, encoding: .utf8)
        let third = try DaemonProcess(root: root, arguments: ["--model", model])
        defer { third.signal(SIGKILL) }
        #expect(third.wait(for: "ready"))
        #expect(third.log.contains("rebuilt from the CSVs"))
    }

    /// The index locked by another process: rows are recorded meanwhile (a batch waits 0.2 s, not 5), and
    /// once the lock is gone the index catches up, so duplicates name the right first file.
    @Test func rowsRecordedWhileTheIndexIsLockedReachIt() throws {
        let root = temporaryDirectory("index-locked")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root)])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        var db: OpaquePointer?
        #expect(sqlite3_open("\(root)/results/.index.sqlite", &db) == SQLITE_OK)
        #expect(sqlite3_exec(db, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK)
        drop(root, 0..<5, prefix: "locked")
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count == 5 })
        #expect(daemon.wait(for: "index not updated", timeout: 5))
        sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
        sqlite3_close(db)
        drop(root, 0..<5, prefix: "again")
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count == 10 })
        for row in resultRows("\(root)/results") where row["file"]!.hasPrefix("again") {
            #expect(row["duplicate_of"] == row["file"]!.replacingOccurrences(of: "again", with: "locked"))
        }
    }
}
