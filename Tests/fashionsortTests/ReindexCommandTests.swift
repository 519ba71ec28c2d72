import Foundation
import TestSupport
import Testing

/// The results index survives restarts, is rebuilt from the CSVs when missing, and by `fashionsort reindex`.
@Suite struct ReindexCommandTests {
    func run(_ root: String, dropping name: String, _ bytes: [UInt8], rows: Int, model: String) throws {
        let daemon = try DaemonProcess(root: root, arguments: ["--model", model])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        write(bytes, to: "\(root)/inbox/\(name)")
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count == rows })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
    }

    @Test func duplicatesAreFoundAcrossRestartsAndAfterAReindex() throws {
        let root = temporaryDirectory("reindex")
        let model = smallModel(in: root)
        try run(root, dropping: "a.png", samplePNG(7), rows: 1, model: model)
        try run(root, dropping: "b.png", samplePNG(7), rows: 2, model: model)  // the index kept a.png's hash
        let reindex = try fashionsort(["reindex", "--root", root])
        #expect(reindex.status == 0 && reindex.stdout.contains("indexed 2 rows"), "\(reindex.stderr)")
        let index = "\(root)/results/.index.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: index + suffix) }
        try run(root, dropping: "c.png", samplePNG(7), rows: 3, model: model)  // rebuilt from the CSVs at start
        let duplicates = Dictionary(
            uniqueKeysWithValues: resultRows("\(root)/results").map { ($0["file"]!, $0["duplicate_of"]!) })
        #expect(duplicates == ["a.png": "", "b.png": "a.png", "c.png": "a.png"])
        #expect(try fashionsort(["reindex", "--root", "/nonexistent"]).status == 1)
    }
}
