import ArgumentParser
import FashionModel
import Training
import Foundation
import ModelReport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write a self-contained HTML report of a model: class balance, learning curves, classification report, "
            + "confusion matrix, calibration, image grids."
    )

    @OptionGroup var model: ModelOption
    @Option(name: .shortAndLong, help: "Folder for index.html.") var output: String
    @Option(
        name: .long,
        help: "Per-epoch history CSV (default: the one beside the checkpoint, else the checkpoint's metadata).")
    var history: String?
    @Option(
        help: ArgumentHelp(
            "Labelled photos in class-slug folders (never trained on) to score and show.", valueName: "dir"))
    var photos: String?
    @Option(help: ArgumentHelp("With --photos: photos of things in no class.", valueName: "dir")) var outliers: String?

    func validate() throws {
        if outliers != nil && photos == nil { throw ValidationError("--outliers needs --photos") }
    }
    @OptionGroup var data: DataOption

    func run() throws {
        let m = try model.load()
        let (records, best, fineTuneStart) = Self.history(for: m, path: model.path, csv: history)
        let report = TrainingReport(
            model: m, train: try data.load(.train), test: try data.load(.test), history: records, bestEpoch: best,
            fineTuneStart: fineTuneStart,
            photos: try photos.map { try PhotoEvaluation(m, photos: $0, outliers: outliers) })
        let path = try report.write(to: output)
        print("wrote \(path)")
    }

    /// History from a CSV beside the checkpoint or from its `history` metadata; best
    /// epoch and, for a fine-tune, its first epoch from `training`.
    static func history(for m: Model, path: String, csv: String?) -> ([EpochRecord], Int, Int?) {
        let beside = (path as NSString).deletingPathExtension + "-history.csv"
        let file = [csv, beside].compactMap { $0 }.lazy.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            .first
        let history = file.map(TrainingHistory.init(csv:)) ?? m.history
        let training = m.training
        return (history.records, training?.bestEpoch ?? history.bestByValidationLoss, training?.fineTuneStart)
    }
}
