import ArgumentParser
import FashionModel
import FileSystem
import Foundation
import ImageIntake
import NeuralNet
import Results

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify PNG and JPEG photos (files or folders, recursively) and print a CSV row per file.",
        discussion: """
            Each row's status is the daemon's decision: classified, review (confidence below the review threshold), \
            other (below the other threshold: none of the classes) or rejected. The thresholds are the model's \
            stored operating point unless given. Exit status: 0 when no file was rejected, 3 when some were, \
            1 on a usage or model error.
            """)

    @Argument(help: ArgumentHelp("Files or folders.", valueName: "path"), completion: .file()) var paths: [String]
    @OptionGroup var model: ModelOption
    @Option(name: .shortAndLong, help: "Write the CSV here instead of standard output.") var output: String?
    @Option(name: .long, help: "Ranked classes per row (2…10).") var top = 2
    @Flag(name: .long, help: "JSON lines instead of CSV.") var json = false
    @Option(name: .long, help: "Files per forward pass.") var batch = 256
    @Option(help: ArgumentHelp("Below this confidence: review (default: the model's).", valueName: "p"))
    var reviewThreshold: Float?
    @Option(
        help: ArgumentHelp("Below this confidence: other, none of the classes (default: the model's).", valueName: "p"))
    var otherThreshold: Float?
    @Option(
        help: ArgumentHelp(
            "From this \"none of these\" share (a model with an eleventh output): other (default: the model's).",
            valueName: "p"))
    var noneOfTheseThreshold: Float?

    static let someRejected: Int32 = 3

    func validate() throws {
        guard (2...10).contains(top) else { throw ValidationError("--top must be between 2 and 10") }
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        for t in [reviewThreshold, otherThreshold, noneOfTheseThreshold].compactMap({ $0 }) where !(0...1).contains(t) {
            throw ValidationError("thresholds must be within 0…1")
        }
    }

    func run() throws {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw CLIError("\(path): no such file or folder")
        }
        let m = try model.load()
        let sink = try OutputSink(path: output)
        let columns = ResultRecord.classifyColumns + ResultRecord.extraColumns(top: top)
        if !json { sink.write(CSV.line(columns)) }
        let decision = m.decision.overriding(
            other: otherThreshold, review: reviewThreshold, noneOfThese: noneOfTheseThreshold)
        var byStatus: [ResultRecord.Status: Int] = [:]
        var pending: [String] = []
        func flush() {
            let photos = PhotoLoader.prepare(pending)
            pending.removeAll(keepingCapacity: true)
            for (photo, result) in zip(photos, m.classify(photos)) {
                var record = ResultRecord(
                    time: "", file: photo.file, sha256: photo.sha256, status: .classified,
                    prediction: result.prediction, model: m.id, milliseconds: result.milliseconds)
                switch photo.pixels {
                case .success:
                    record.decide(decision)
                case .failure(let error):
                    record.status = .rejected
                    record.error = error.reason
                    FileHandle.standardError.write(Data("fashionsort: \(error.description)\n".utf8))
                }
                byStatus[record.status, default: 0] += 1
                let values = record.values(ResultRecord.classifyColumns, top: top)
                sink.write(json ? Self.jsonLine(columns, values) : CSV.line(values))
            }
        }
        for path in paths {
            do {
                try FileWalker.forEachFile(under: path) { file in
                    pending.append(file)
                    if pending.count == batch { flush() }
                }
            } catch let error as FileSystemError { throw CLIError(error.description) }
        }
        flush()
        try sink.close()
        let summary = ResultRecord.Status.allCases.map { "\(byStatus[$0] ?? 0) \($0.rawValue)" }
        FileHandle.standardError.write(Data("fashionsort: \(summary.joined(separator: ", "))\n".utf8))
        if byStatus[.rejected] != nil { throw ExitCode(Self.someRejected) }
    }

    /// Columns holding numbers are written as JSON numbers (null when empty), the rest as strings.
    static func jsonLine(_ columns: [String], _ values: [String]) -> String {
        let fields = zip(columns, values).map { column, value in
            let numeric = ResultRecord.isNumeric(column)
            let json = numeric ? (value.isEmpty ? "null" : value) : JSON.quote(value)
            return "\(JSON.quote(column)):\(json)"
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }
}
