import Foundation
import Results

/// The data rows of a CSV text, keyed by its header.
public func csvRows(_ text: String) -> [[String: String]] {
    let lines = CSV.parse(text)
    guard let header = lines.first else { return [] }
    return lines.dropFirst().map { Dictionary(zip(header, $0), uniquingKeysWith: { first, _ in first }) }
}

/// All data rows of every results CSV under `folder`, as dictionaries.
public func resultRows(_ folder: String) -> [[String: String]] {
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".csv") }
    return files.flatMap { csvRows(try! String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8)) }
}

/// Waits until `root/results` holds at least `count` rows and every row's file is in its output folder:
/// the daemon records a batch before it files it, so a row alone does not mean the file is there yet.
public func waitUntilFiled(_ root: String, count: Int, timeout: Double = 20) -> Bool {
    waitUntil(timeout: timeout) {
        let rows = resultRows("\(root)/results")
        return rows.count >= count && rows.allSatisfy { FileManager.default.fileExists(atPath: $0["output"]!) }
    }
}
