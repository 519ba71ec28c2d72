import ArgumentParser
import FashionModel
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
    /// Per-class recall averaged over the folders present: a constant answer
    /// scores 1/folders, so it is not fooled by class imbalance.
    func evaluateFolders(_ m: Model, _ root: String) throws {
        let loaded: LabelledFolders.Loaded
        do { loaded = try LabelledFolders.load(root, conversion: conversion) } catch { throw CLIError("\(error)") }
        for e in loaded.skipped { FileHandle.standardError.write(Data("skipped \(e.description)\n".utf8)) }
        let e = Evaluation(model: m, data: loaded.images)
        let recalls = loaded.classes.map { e.classes[$0.rawValue].recall }
        let mean = recalls.reduce(0, +) / Double(recalls.count)
        if json {
            print(
                Self.jsonString(
                    FolderScore(
                        meanRecall: mean, accuracy: e.accuracy, photos: e.count, conversion: conversion.rawValue,
                        recall: Dictionary(uniqueKeysWithValues: zip(loaded.classes.map(\.slug), recalls)))));
            return
        }
        print("model \(m.id) on \(e.count) photos in \(root) (\(conversion.rawValue) conversion)")
        for (c, r) in zip(loaded.classes, recalls) {
            let top = e.confusion[c.rawValue].enumerated().max { $0.element < $1.element }!
            let support = counted(e.classes[c.rawValue].support, "photo")
            let often = FashionClass(rawValue: top.offset)!.name
            print(
                "  \(c.slug.rightPad(12)) recall \(String(format: "%.3f", r))  (\(support); most often called \(often))"
            )
        }
        print(
            String(
                format: "mean per-class recall %.3f over %d folders (constant guess: %.3f); accuracy %.3f",
                mean, recalls.count, 1 / Double(recalls.count), e.accuracy))
    }
}

struct FolderScore: Codable {
    var meanRecall: Double, accuracy: Double, photos: Int, conversion: String, recall: [String: Double]
}
