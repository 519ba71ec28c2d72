import ArgumentParser
import FashionModel
import Training
import Foundation
import ImageIntake

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Test accuracy, per-class precision/recall/F1, confusion matrix and most confused pairs.")

    @OptionGroup var model: ModelOption
    @OptionGroup var data: DataOption
    @Flag(name: .long, help: "Print JSON instead of tables.") var json = false
    @Option(name: .long, help: "Evaluate on photos in class-slug folders (e.g. real photos) instead of the test set.")
    var folders: String?
    @Option(help: "With --folders: paper (our conversion) or naive (resize + invert, the baseline).")
    var conversion = Conversion.paper
    @Option(
        help: ArgumentHelp(
            "With --folders: photos of things in no class, to measure what is held back (an other/ folder "
                + "among the class folders counts too).",
            valueName: "dir"))
    var outliers: String?
    @Flag(help: "With --folders: list the wrong answers and the outliers filed into a class folder.")
    var showWrong = false

    func validate() throws {
        if folders == nil && (outliers != nil || showWrong) {
            throw ValidationError("--outliers and --show-wrong need --folders")
        }
    }

    func run() throws {
        let m = try model.load()
        if let folders { return try evaluateFolders(m, folders) }
        let test = try data.load(.test)
        let e = Evaluation(model: m, data: test)
        if json { print(Self.jsonString(e)); return }
        print("model \(m.id) (\(m.architecture.name)), \(e.count) test images")
        print(String(format: "accuracy %.4f   loss %.4f   macro F1 %.4f\n", e.accuracy, e.loss, e.macroF1))
        print("class".padding(toLength: 13, withPad: " ", startingAt: 0) + " precision    recall  f1-score   support")
        for c in e.classes {
            print(
                c.name.padding(toLength: 13, withPad: " ", startingAt: 0)
                    + String(format: " %9.4f %9.4f %9.4f %9d", c.precision, c.recall, c.f1, c.support))
        }
        print("\nconfusion matrix (rows: true class, columns: predicted)")
        print("             " + FashionClass.allCases.map { String($0.name.prefix(6)).leftPad(7) }.joined())
        for (i, row) in e.confusion.enumerated() {
            print(
                FashionClass(rawValue: i)!.name.padding(toLength: 13, withPad: " ", startingAt: 0)
                    + row.map { String($0).leftPad(7) }.joined())
        }
        print("\nmost confused pairs")
        for p in e.mostConfused { print("  \(p.actual) ↔ \(p.predicted): \(p.count)") }
    }
}

extension EvaluateCommand {
    /// Per-folder recall and precision over the folders with photos, the confusion matrix, and with
    /// --outliers what the model's operating point holds back.
    func evaluateFolders(_ m: Model, _ root: String) throws {
        let e = try PhotoEvaluation(m, photos: root, outliers: outliers, conversion: conversion)
        let point = m.decision, shares = e.shares(at: point)
        let score = FolderScore(e, point: point, conversion: conversion)
        if json { print(Self.jsonString(score)); return }
        print("model \(m.id) on \(counted(e.photos.count, "photo")) in \(root) (\(conversion.rawValue) conversion)")
        print("  folder        photos  recall  precision  most common wrong answer")
        for c in e.classes {
            let s = e.evaluation.classes[c.rawValue]
            let scores = String(format: "%6d   %.3f      %.3f  ", s.support, s.recall, s.precision)
            let wrong = e.commonestWrongAnswer(c).map { "\($0.answer.name) (\($0.count))" } ?? "none"
            print("  \(c.slug.rightPad(12)) \(scores)\(wrong)")
        }
        print(
            String(
                format: "mean per-folder recall %.3f over %d folders (constant guess: %.3f); accuracy %.3f",
                e.meanRecall, e.classes.count, 1 / Double(e.classes.count), e.evaluation.accuracy))
        print("\nconfusion matrix (rows: folder, columns: predicted)")
        print("             " + FashionClass.allCases.map { String($0.name.prefix(6)).leftPad(7) }.joined())
        for c in e.classes {
            print(c.slug.rightPad(13) + e.evaluation.confusion[c.rawValue].map { String($0).leftPad(7) }.joined())
        }
        let stored = m.operatingPoint == nil ? "none stored, the daemon's default" : "stored in the model"
        print("\noperating point (\(stored)): \(point.summary)")
        print(
            String(
                format:
                    "  correct answers held back %.1f%% (review %.1f%%, other %.1f%%); wrong answers held back %.1f%%",
                100 * PhotoEvaluation.Shares.held(shares.correct), 100 * (shares.correct[.review] ?? 0),
                100 * (shares.correct[.other] ?? 0), 100 * PhotoEvaluation.Shares.held(shares.wrong)))
        if !e.outliers.isEmpty {
            print(
                String(
                    format: "  outliers (%d photos) held back %.1f%% (other %.1f%%, review %.1f%%); AUROC %.3f",
                    e.outliers.count, 100 * PhotoEvaluation.Shares.held(shares.outliers),
                    100 * (shares.outliers[.other] ?? 0), 100 * (shares.outliers[.review] ?? 0), e.holdBack.auroc))
            func median(_ v: [Float]) -> Float { v.isEmpty ? .nan : v.sorted()[v.count / 2] }
            if m.architecture.hasOtherOutput {
                print(String(format: "  by the none-of-these share alone: AUROC %.3f", e.holdBack.noneOfTheseAUROC))
            }
            print(
                String(
                    format: "  by energy: AUROC %.3f; median energy in-class %.2f, outliers %.2f", e.energyAUROC,
                    median(e.energies.inClass), median(e.energies.outliers)))
        }
        if showWrong {
            print("\nwrong answers")
            for p in e.wrong {
                print(
                    "  \(p.file): \(p.label!.slug) called \(p.prediction.best.label.slug) "
                        + String(format: "%.3f", p.prediction.best.confidence)
                        + " → \(point.disposition(p.prediction).rawValue)")
            }
            let missed = e.outliers.filter { point.disposition($0.prediction) == .classified }
            if !e.outliers.isEmpty { print("\noutliers filed into a class folder") }
            let withShare = m.architecture.hasOtherOutput
            for p in missed {
                print(
                    "  \(p.file): called \(p.prediction.best.label.slug) "
                        + String(format: "%.3f", p.prediction.best.confidence)
                        + (withShare ? String(format: ", none of these %.3f", p.prediction.noneOfThese) : ""))
            }
        }
    }
}

struct FolderScore: Codable {
    struct Folder: Codable { var photos: Int, recall: Double, precision: Double }
    struct Outliers: Codable { var photos: Int, held: Double, other: Double, auroc: Double }
    var meanRecall: Double, accuracy: Double, photos: Int, conversion: String
    var folders: [String: Folder]
    var correctHeld: Double, wrongHeld: Double, otherThreshold: Float, reviewThreshold: Float
    var noneOfTheseThreshold: Float?
    var outliers: Outliers?

    init(_ e: PhotoEvaluation, point: OperatingPoint, conversion: Conversion) {
        let shares = e.shares(at: point)
        meanRecall = e.meanRecall; accuracy = e.evaluation.accuracy; photos = e.photos.count
        self.conversion = conversion.rawValue
        folders = Dictionary(
            uniqueKeysWithValues: e.classes.map { c in
                let s = e.evaluation.classes[c.rawValue]
                return (c.slug, Folder(photos: s.support, recall: s.recall, precision: s.precision))
            })
        correctHeld = PhotoEvaluation.Shares.held(shares.correct); wrongHeld = PhotoEvaluation.Shares.held(shares.wrong)
        otherThreshold = point.other; reviewThreshold = point.review; noneOfTheseThreshold = point.noneOfThese
        outliers =
            e.outliers.isEmpty
            ? nil
            : Outliers(
                photos: e.outliers.count, held: PhotoEvaluation.Shares.held(shares.outliers),
                other: shares.outliers[.other] ?? 0, auroc: e.holdBack.auroc)
    }
}
