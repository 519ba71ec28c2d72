import FashionModel
import Training
import FileSystem
import Foundation
import ImageIntake
import ImageSynthesis
import NeuralNet

/// The analysis we started from, as one self-contained HTML page: class
/// balance, learning curves with a fit verdict, classification report,
/// confusion heatmap, most confused pairs, calibration, and grids of right
/// and wrong test images. Charts are inline SVG; images are PNG data URIs
/// written through libpng.
public struct TrainingReport {
    public var model: Model
    public var train: LabelledImages
    public var test: LabelledImages
    public var history: [EpochRecord]
    public var bestEpoch: Int
    /// For a fine-tuned model, the first epoch of the fine-tuning in `history`.
    public var fineTuneStart: Int?
    /// Labelled real photos (and outliers) to show and score, when given.
    public var photos: PhotoEvaluation?

    public init(
        model: Model, train: LabelledImages, test: LabelledImages, history: [EpochRecord], bestEpoch: Int,
        fineTuneStart: Int? = nil, photos: PhotoEvaluation? = nil
    ) {
        self.model = model; self.train = train; self.test = test; self.history = history; self.bestEpoch = bestEpoch
        self.fineTuneStart = fineTuneStart; self.photos = photos
    }

    static func section(_ id: String, _ title: String, _ children: [Markup]) -> Markup {
        .element("section", ["id": id], [.element("h2", [Markup(title)])] + children)
    }

    /// A section of image figures, with a note on how they were chosen.
    static func grid(_ id: String, _ title: String, class name: String, _ figures: [Markup], note: String) -> Markup {
        section(
            id, title, [.element("p", ["class": "note"], [Markup(note)]), .element("div", ["class": name], figures)])
    }

    public static func verdict(_ h: [EpochRecord], best: Int) -> String {
        guard !h.isEmpty, best >= 1, best <= h.count else { return "No training history recorded for this model." }
        let b = h[best - 1], last = h[h.count - 1]
        guard let bestLoss = b.validationLoss, let bestAccuracy = b.validationAccuracy else {
            return "No images were held out for validation in epoch \(best) (--validation-split 0): the last epoch "
                + "was kept, and the test set is the only measure of fit."
        }
        let gap = Double(b.trainAccuracy - bestAccuracy) * 100
        if let lastLoss = last.validationLoss, lastLoss > bestLoss * 1.05 && last.trainLoss < b.trainLoss {
            return String(
                format: "Overfitting after epoch %d: validation loss rose %.0f%% while training loss kept falling; "
                    + "epoch %d was restored.",
                best, Double(lastLoss / bestLoss - 1) * 100, best)
        }
        if gap < 0 {
            return String(
                format: "No overfitting: at epoch %d training accuracy (with dropout and augmentation) is %.1f points "
                    + "below validation; more capacity or epochs could still help (mild underfitting).",
                best, -gap)
        }
        if gap > 3 {
            return String(
                format: "Some overfitting: training accuracy is %.1f points above validation at epoch %d.", gap, best)
        }
        return String(
            format: "Well fitted: training and validation accuracy are within %.1f points at epoch %d.", gap, best)
    }

    public func write(to dir: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/index.html"
        // Foundation's atomic write leaves an empty TemporaryDirectory.* in /tmp on Linux.
        try AtomicFile.write(html(), to: path)
        return path
    }

    /// How many test images each grid shows.
    static let gridSize = 24

    public func html() throws -> String {
        let names = FashionClass.allCases.map(\.name)
        let probabilities = model.probabilities(test.pixels)
        let predictions = Prediction.rows(probabilities)
        let eval = Evaluation(probabilities: probabilities, labels: test.labels)
        let ece = Calibration.expectedCalibrationError(probabilities, labels: test.labels)
        func counts(_ d: LabelledImages) -> [Double] { (0..<10).map { c in Double(d.labels.filter { $0 == c }.count) } }
        func f(_ v: Double, _ digits: Int = 4) -> Markup { Markup(String(format: "%.\(digits)f", v)) }
        let section = Self.section

        var body: [Markup] = [
            .element("h1", ["FashionSort model report"]),
            .element(
                "p", ["class": "meta"],
                [
                    "model ", .element("code", [Markup(model.id)]), " · architecture ",
                    .element("b", [Markup(model.architecture.name)]),
                    " · \(model.network.parameterCount) parameters · temperature ", f(Double(model.temperature), 3),
                ]),
            .element(
                "p", ["class": "headline"],
                [
                    "Test accuracy ", .element("b", [f(eval.accuracy * 100, 2), "%"]),
                    " on \(eval.count) images (loss ", f(eval.loss), ", macro F1 ", f(eval.macroF1),
                    "). The reference Keras CNN reached 92.7%.",
                ]),
            section(
                "classes", "Class balance",
                [
                    SVGChart.bars(
                        title: "Images per class", labels: names,
                        series: [("training", "#1565c0", counts(train)), ("test", "#ef6c00", counts(test))])
                ]),
        ]

        var curves: [Markup] = [
            .element("p", ["class": "verdict"], [Markup(Self.verdict(history, best: bestEpoch))])
        ]
        var marks = [SVGChart.Mark(epoch: bestEpoch, label: "chosen epoch \(bestEpoch)", style: "mark")]
        if let start = fineTuneStart, start > 1, start <= history.count {
            curves.append(
                .element(
                    "p",
                    [
                        Markup(
                            "Epochs 1–\(start - 1) trained the checkpoint this model was fine-tuned from; "
                                + "epochs \(start)–\(history.count) are the fine-tuning.")
                    ]))
            marks.append(.init(epoch: start, label: "fine-tune from epoch \(start)", style: "mark fine-tune"))
        }
        let charts: [(String, (EpochRecord) -> Float, (EpochRecord) -> Float?)] = [
            ("Loss", \.trainLoss, \.validationLoss), ("Accuracy", \.trainAccuracy, \.validationAccuracy),
        ]
        for (title, train, validation) in charts {
            // Epochs trained without validation images leave a gap in that curve (a fine-tune on all 60k).
            let validated = history.map { validation($0).map(Double.init) ?? .nan }
            let series =
                [("training", "#1565c0", history.map { Double(train($0)) })]
                + (validated.contains(where: \.isFinite) ? [("validation", "#ef6c00", validated)] : [])
            curves.append(SVGChart.lines(title: title, series: series, marks: marks))
        }
        body.append(section("curves", "Learning curves", curves))

        func row(_ cells: [Markup], _ attributes: KeyValuePairs<String, any AttributeValue> = [:]) -> Markup {
            .element("tr", attributes, cells.map { .element("td", [$0]) })
        }
        let header = Markup.element(
            "tr", ["class", "precision", "recall", "F1", "support"].map { .element("th", [Markup($0)]) })
        let rows = eval.classes.map { c in row([Markup(c.name), f(c.precision), f(c.recall), f(c.f1), "\(c.support)"]) }
        let total = row(["accuracy", "", "", f(eval.accuracy), "\(eval.count)"], ["class": "total"])
        body.append(
            section("report", "Classification report (test set)", [.element("table", [header] + rows + [total])]))

        body.append(
            section(
                "confusion", "Confusion matrix",
                [
                    SVGChart.heatmap(
                        title: "Rows: true class · columns: predicted class", labels: names, counts: eval.confusion),
                    .element("h3", ["Most confused pairs"]),
                    .element(
                        "ol",
                        eval.mostConfused.map {
                            .element("li", [Markup("\($0.actual) ↔ \($0.predicted): \($0.count)")])
                        }
                    ),
                ]))

        let bins = reliability(predictions)
        body.append(
            section(
                "calibration", "Calibration",
                [
                    .element(
                        "p",
                        [
                            "Expected calibration error on the test set: ", .element("b", [f(ece)]),
                            Markup(
                                " (0 = confidences match accuracy). Bars near the dashed diagonal are well calibrated;"
                                    + " n is the number of test images whose top confidence falls in the bin."),
                        ]),
                    SVGChart.bars(
                        title: "Reliability: mean confidence and accuracy per confidence bin",
                        labels: (0..<10).map { "\($0 * 10)–\($0 * 10 + 10)%" },
                        notes: bins.counts.map { "n = \($0)" },
                        series: bins.series, yMax: 100, diagonal: "perfect calibration"),
                ]))

        for (id, title, right) in [("correct", "Correctly classified", true), ("wrong", "Misclassified", false)] {
            let chosen = Array(
                predictions.indices.lazy.filter {
                    (predictions[$0].best.label.rawValue == self.test.labels[$0]) == right
                }
                .prefix(Self.gridSize))
            let what = right ? "correctly classified" : "misclassified"
            var figures: [Markup] = []
            for i in chosen {
                let p = predictions[i].best, truth = FashionClass(rawValue: test.labels[i])!.name
                let caption = "True: \(truth) / Pred: \(p.label.name) (\(String(format: "%.2f", p.confidence)))"
                figures.append(
                    .element(
                        "figure",
                        [
                            .element(
                                "img",
                                [
                                    "alt": "test image \(i)", "title": "test image \(i)",
                                    "src": "data:image/png;base64,\(try tile(i))",
                                ]
                            ),
                            .element("figcaption", [Markup(caption)]),
                        ]))
            }
            body.append(
                Self.grid(
                    id, "\(title) test images", class: "grid", figures,
                    note: "The first \(chosen.count) \(what) test images in test-set order (not a ranked or random "
                        + "pick). Caption: true class / predicted class (its confidence)."))
        }
        body += try PhotoReport(model: model, photos: photos).sections()
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>FashionSort model report</title>
            <style>\(Self.css)</style></head><body>
            \(Markup.group(body).source)
            </body></html>

            """
    }

    private static let css = """
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
        h1 { margin-bottom: 0.2em }
        h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em }
        .meta, .note { color: #555 }
        .headline { font-size: 1.15em }
        .verdict { background: #f5f5f5; padding: 0.6em; border-left: 4px solid #1565c0 }
        .chart { margin: 0.5em 1em 0.5em 0 }
        .chart .title { font-weight: 600; font-size: 13px }
        .chart .tick { font-size: 10px; fill: #444 }
        .chart .grid { stroke: #e0e0e0 }
        .chart .axis { stroke: #444 }
        .chart .mark { stroke: #2e7d32; stroke-dasharray: 4 3 }
        .chart .mark.fine-tune { stroke: #6a1b9a }
        .chart .diagonal { stroke: #444; stroke-dasharray: 5 3 }
        .chart .count { font-size: 11px }
        .chart .count.on-dark { fill: #fff }
        table { border-collapse: collapse }
        td, th { padding: 0.25em 0.8em; border-bottom: 1px solid #eee; text-align: right }
        td:first-child, th:first-child { text-align: left }
        .total td { font-weight: 600 }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 10px }
        figure { margin: 0; text-align: center }
        figure img { width: 84px; height: 84px; image-rendering: pixelated; border: 1px solid #ccc }
        figcaption { font-size: 11px }
        .grid.photos { grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)) }
        .grid.photos figure img { width: auto; height: auto; max-width: 120px; max-height: 120px;
            image-rendering: auto }
        """

    /// Per 10 %-wide bin of top-class confidence: its image count, and mean confidence and accuracy in percent.
    private func reliability(_ predictions: [Prediction]) -> (counts: [Int], series: [SVGChart.Series]) {
        var n = [Int](repeating: 0, count: 10), conf = [Double](repeating: 0, count: 10), acc = conf
        for (pred, y) in zip(predictions, test.labels) {
            let b = min(9, Int(Double(pred.best.confidence) * 10))
            n[b] += 1; conf[b] += Double(pred.best.confidence)
            if pred.best.label.rawValue == y { acc[b] += 1 }
        }
        func percent(_ sums: [Double]) -> [Double] { (0..<10).map { n[$0] > 0 ? 100 * sums[$0] / Double(n[$0]) : 0 } }
        return (n, [("confidence %", "#1565c0", percent(conf)), ("accuracy %", "#2e7d32", percent(acc))])
    }

    /// A test image as a PNG data URI payload, 3× enlarged.
    private func tile(_ i: Int) throws -> String {
        var px = [UInt8](repeating: 0, count: 84 * 84)
        for y in 0..<84 {
            for x in 0..<84 {
                px[y * 84 + x] = UInt8(min(max(test.pixels[i * 784 + (y / 3) * 28 + x / 3] * 255, 0), 255))
            }
        }
        return Data(try ImageEncoder.png(px, width: 84, height: 84, channels: 1)).base64EncodedString()
    }
}
