import ArgumentParser
import FashionModel
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a model: class balance, learning curves, classification report, confusion matrix, calibration, image grids.")

    @OptionGroup var model: ModelOption
    @Option(name: .shortAndLong, help: "Folder for index.html.") var output: String
    @Option(name: .long, help: "Per-epoch history CSV (default: the one beside the checkpoint, else the checkpoint's metadata).")
    var history: String?
    @OptionGroup var data: DataOption

    func run() throws {
        let m = try model.load()
        let (records, best, fineTuneStart) = Self.history(for: m, path: model.model ?? Model.defaultPath, csv: history)
        let report = TrainingReport(model: m, train: try data.load(.train), test: try data.load(.test), history: records, bestEpoch: best,
                                    fineTuneStart: fineTuneStart)
        let path = try report.write(to: output)
        print("wrote \(path)")
    }

    /// History from a CSV beside the checkpoint or from its `history` metadata; best
    /// epoch and, for a fine-tune, its first epoch from `training`.
    static func history(for m: Model, path: String, csv: String?) -> ([EpochRecord], Int, Int?) {
        let beside = (path as NSString).deletingPathExtension + "-history.csv"
        let text = [csv, beside].compactMap { $0 }.lazy.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.first
            ?? m.metadata["history"] ?? ""
        let records = TrainingReport.history(csv: text)
        let training = m.metadata["training"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let best = (training?["bestEpoch"] as? NSNumber)?.intValue
            ?? (records.min { $0.validationLoss < $1.validationLoss }?.epoch ?? 0)
        return (records, best, (training?["fineTuneStart"] as? NSNumber)?.intValue)
    }
}
