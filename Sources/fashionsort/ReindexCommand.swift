import ArgumentParser
import Foundation
import Results

/// Rebuilds the daemon's results index from its CSVs, which stay the record of truth.
struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild ROOT/results/.index.sqlite from the results CSVs (the daemon also does when it is missing).",
        discussion: "Stop the daemon first: it keeps the index open while it runs.")

    @OptionGroup var state: StateFolder

    func run() throws {
        let results = "\(state.folder)/results"
        guard FileManager.default.fileExists(atPath: results) else { throw CLIError("\(results): no such folder") }
        let path = ResultsIndex.path(folder: results)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            do { try FileManager.default.removeItem(atPath: path + suffix) } catch {
                throw CLIError("\(path + suffix): cannot remove: \(error.localizedDescription)")
            }
        }
        let started = Date()
        let index = try reported { try ResultsIndex(folder: results) }
        for note in index.notes { FileHandle.standardError.write(Data("fashionsort: \(note)\n".utf8)) }
        print(
            "indexed \(counted(index.rows, "row")) of \(results) into \(path) in "
                + String(format: "%.1f s", Date().timeIntervalSince(started)))
    }
}
