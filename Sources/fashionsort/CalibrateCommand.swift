import ArgumentParser
import FashionModel
import Training
import Foundation
import NeuralNet

/// Fits the softmax temperature on the validation split (never the test set)
/// and shows what each review threshold would send to a person.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure calibration (ECE), fit a temperature on the validation split and store it in a checkpoint.")

    @OptionGroup var model: ModelOption
    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the calibrated checkpoint.", valueName: "file"))
    var output = "calibrated.safetensors"
    @Flag(help: "Rewrite the --model checkpoint itself instead of writing --output.") var inPlace = false
    @Option(help: "Seed of the training run's validation split.") var seed: UInt64 = 1
    @Option(help: "Validation fraction of the training run.") var validationSplit = 0.1
    @Option(
        help: ArgumentHelp(
            "Labelled photos in class-slug folders (never trained on) to choose the review and other thresholds on.",
            valueName: "dir"))
    var photos: String?
    @Option(help: ArgumentHelp("With --photos: photos of things in no class.", valueName: "dir")) var outliers: String?
    @Option(help: "Share of correct answers the review threshold may hold back (review and other together).")
    var holdBack = 0.08
    @Option(
        help: ArgumentHelp(
            "Share of correct answers the other threshold may send to other/ (default: 0.06 for a model with an"
                + " eleventh output, which sends by its \"none of these\" share, else 0.02).",
            valueName: "share"))
    var otherShare: Double?
    @OptionGroup var data: DataOption

    func validate() throws {
        if inPlace && model.model == nil {
            throw ValidationError("--in-place needs --model: the shipped model stays as shipped")
        }
        guard validationSplit > 0 && validationSplit < 1 else {
            throw ValidationError("--validation-split must be in (0, 1)")
        }
        guard (0..<1).contains(holdBack), (0...holdBack).contains(otherShare ?? 0) else {
            throw ValidationError("need 0 ≤ --other-share ≤ --hold-back < 1")
        }
        if outliers != nil && photos == nil { throw ValidationError("--outliers needs --photos") }
    }

    func run() throws {
        let m = try model.load()
        if m.training?.validationSplit == 0 {
            FileHandle.standardError.write(
                Data(
                    ("warning: this model trained on all 60,000 training images (--validation-split 0), so its "
                        + "temperature is fitted on images it has seen and may come out too low\n").utf8))
        }
        let validation = try data.load(.train).split(validationFraction: validationSplit, seed: seed).validation
        let logits = m.logits(validation.pixels)
        let before = Calibration.expectedCalibrationError(
            m.classProbabilities(logits, temperature: 1), labels: validation.labels)
        let t = Calibration.fitTemperature(logits, labels: validation.labels)
        let fitted = m.classProbabilities(logits, temperature: t)
        let after = Calibration.expectedCalibrationError(fitted, labels: validation.labels)
        print(
            String(
                format: "validation (%d images): ECE %.4f at T=1, %.4f at fitted T=%.3f", validation.count, before,
                after, t))
        // Keep the temperature only where it makes confidences more truthful.
        let useFitted = after < before
        print(useFitted ? "stored the fitted temperature" : "already well calibrated: kept T=1")
        m.temperature = useFitted ? t : 1
        m.calibration = CalibrationRecord(
            temperature: m.temperature, fittedTemperature: t, eceAtOne: Double(before), eceFitted: Double(after),
            validationImages: validation.count)
        if let photos {
            m.operatingPoint = try choosePoint(m, photos: photos)
        } else if m.operatingPoint != nil {
            m.operatingPoint = nil
            print("the stored operating point was chosen at another temperature: removed (choose one with --photos)")
        }
        let path = inPlace ? model.path : output
        do { try m.save(to: path) } catch { throw CLIError(error.description) }
        print("wrote \(path) (model \(m.id))")
    }

    /// The thresholds, chosen on photos: what each would hold back, then the stored choice.
    private func choosePoint(_ m: Model, photos: String) throws -> OperatingPoint {
        let e = try PhotoEvaluation(m, photos: photos, outliers: outliers)
        let h = e.holdBack
        guard !h.correct.isEmpty else { throw CLIError("\(photos): no correctly classified photo to choose on") }
        // An eleventh output sends to other/ by its own share, which tells outliers apart better than confidence.
        let byNoneOfThese = m.architecture.hasOtherOutput
        let point = h.choose(
            reviewBudget: holdBack, otherBudget: otherShare ?? (byNoneOfThese ? 0.06 : 0.02),
            byNoneOfThese: byNoneOfThese, chosenOn: [photos] + (outliers.map { [$0] } ?? []))
        let along = point.noneOfThese.map { String(format: ", other/ from none of these %.3f", $0) } ?? ""
        print(
            "\(h.correct.count + h.wrong.count) photos (\(h.wrong.count) answered wrong), \(h.outliers.count) outliers:"
                + " review threshold\(along) → share held back of correct answers, wrong answers, outliers"
                + (h.outliers.isEmpty ? "" : String(format: " (AUROC %.3f)", h.auroc)))
        for t in stride(from: Float(0.3), through: 0.96, by: 0.05) {
            let r = h.row(t, noneOfThese: point.noneOfThese)
            print(
                String(format: "  %.2f  %5.1f%%  %5.1f%%  %5.1f%%", t, 100 * r.correct, 100 * r.wrong, 100 * r.outliers)
            )
        }
        print(
            String(
                format: "chose %@: holds back %.1f%% of correct answers, %.1f%% of wrong ones, %.1f%% of outliers "
                    + "(%.1f%% into other/)", point.summary, 100 * point.correctHeld, 100 * point.wrongHeld,
                100 * point.outliersHeld, 100 * point.outliersInOther))
        return point
    }
}
