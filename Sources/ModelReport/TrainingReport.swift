import FashionModel
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

    public init(
        model: Model, train: LabelledImages, test: LabelledImages, history: [EpochRecord], bestEpoch: Int,
        fineTuneStart: Int? = nil
    ) {
        self.model = model; self.train = train; self.test = test; self.history = history; self.bestEpoch = bestEpoch
        self.fineTuneStart = fineTuneStart
    }

    public static func verdict(_ h: [EpochRecord], best: Int) -> String {
        guard !h.isEmpty, best >= 1, best <= h.count else { return "No training history recorded for this model." }
        let b = h[best - 1], last = h[h.count - 1]
        let gap = Double(b.trainAccuracy - b.validationAccuracy) * 100
        if last.validationLoss > b.validationLoss * 1.05 && last.trainLoss < b.trainLoss {
            return String(
                format:
                    "Overfitting after epoch %d: validation loss rose %.0f%% while training loss kept falling; epoch %d was restored.",
                best, Double(last.validationLoss / b.validationLoss - 1) * 100, best)
        }
        if gap < 0 {
            return String(
                format:
                    "No overfitting: at epoch %d training accuracy (with dropout and augmentation) is %.1f points below validation; more capacity or epochs could still help (mild underfitting).",
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
        try html().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    public func html() throws -> String {
        let names = FashionClass.allCases.map(\.name)
        let probabilities = model.probabilities(test.pixels)
        let eval = Evaluation(probabilities: probabilities, labels: test.labels)
        let ece = Calibration.expectedCalibrationError(probabilities, labels: test.labels)
        func counts(_ d: LabelledImages) -> [Double] { (0..<10).map { c in Double(d.labels.filter { $0 == c }.count) } }
        var body = "<h1>FashionSort model report</h1>"
        body +=
            "<p class=\"meta\">model <code>\(model.id)</code> · architecture <b>\(model.architecture.name)</b> · \(model.network.parameterCount) parameters · temperature \(String(format: "%.3f", model.temperature))</p>"
        body +=
            "<p class=\"headline\">Test accuracy <b>\(String(format: "%.2f%%", eval.accuracy * 100))</b> on \(eval.count) images (loss \(String(format: "%.4f", eval.loss)), macro F1 \(String(format: "%.4f", eval.macroF1))). The reference Keras CNN reached 92.7%.</p>"

        body += "<section id=\"classes\"><h2>Class balance</h2>"
        body += SVGChart.bars(
            title: "Images per class", labels: FashionClass.allCases.map { String($0.name.prefix(7)) },
            series: [("training", "#1565c0", counts(train)), ("test", "#ef6c00", counts(test))])
        body += "</section>"

        body +=
            "<section id=\"curves\"><h2>Learning curves</h2><p class=\"verdict\">\(SVGChart.escape(Self.verdict(history, best: bestEpoch)))</p>"
        if let start = fineTuneStart, start > 1, start <= history.count {
            body +=
                "<p>Epochs 1–\(start - 1) trained the checkpoint this model was fine-tuned from; epochs \(start)–\(history.count) are the fine-tuning.</p>"
        }
        body += SVGChart.lines(
            title: "Loss",
            series: [
                ("training", "#1565c0", history.map { Double($0.trainLoss) }),
                ("validation", "#ef6c00", history.map { Double($0.validationLoss) }),
            ], mark: bestEpoch)
        body += SVGChart.lines(
            title: "Accuracy",
            series: [
                ("training", "#1565c0", history.map { Double($0.trainAccuracy) }),
                ("validation", "#ef6c00", history.map { Double($0.validationAccuracy) }),
            ], mark: bestEpoch)
        body += "</section>"

        body +=
            "<section id=\"report\"><h2>Classification report (test set)</h2><table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>"
        for c in eval.classes {
            body +=
                "<tr><td>\(SVGChart.escape(c.name))</td><td>\(String(format: "%.4f", c.precision))</td><td>\(String(format: "%.4f", c.recall))</td><td>\(String(format: "%.4f", c.f1))</td><td>\(c.support)</td></tr>"
        }
        body +=
            "<tr class=\"total\"><td>accuracy</td><td></td><td></td><td>\(String(format: "%.4f", eval.accuracy))</td><td>\(eval.count)</td></tr></table></section>"

        body += "<section id=\"confusion\"><h2>Confusion matrix</h2>"
        body += SVGChart.heatmap(
            title: "Rows: true class · columns: predicted class", labels: names, counts: eval.confusion)
        body += "<h3>Most confused pairs</h3><ol>"
        for p in eval.mostConfused {
            body += "<li>\(SVGChart.escape(p.actual)) ↔ \(SVGChart.escape(p.predicted)): \(p.count)</li>"
        }
        body += "</ol></section>"

        body +=
            "<section id=\"calibration\"><h2>Calibration</h2><p>Expected calibration error on the test set: <b>\(String(format: "%.4f", ece))</b> (0 = confidences match accuracy).</p>"
        body += SVGChart.bars(
            title: "Reliability: mean confidence and accuracy per confidence bin", labels: reliabilityLabels,
            series: reliability(probabilities, test.labels))
        body += "</section>"

        var right: [Int] = [], wrong: [Int] = []
        for i in 0..<test.count {
            let p = Prediction(probabilities: probabilities.data[i * 10..<i * 10 + 10])
            if p.best.label.rawValue == test.labels[i] {
                if right.count < 24 { right.append(i) }
            } else if wrong.count < 24 {
                wrong.append(i)
            }
            if right.count == 24 && wrong.count == 24 { break }
        }
        for (id, title, indices) in [("correct", "Correctly classified", right), ("wrong", "Misclassified", wrong)] {
            body += "<section id=\"\(id)\"><h2>\(title) test images</h2><div class=\"grid\">"
            for i in indices {
                let p = Prediction(probabilities: probabilities.data[i * 10..<i * 10 + 10])
                body +=
                    "<figure><img alt=\"test image \(i)\" src=\"data:image/png;base64,\(try tile(i))\"><figcaption>True: \(SVGChart.escape(FashionClass(rawValue: test.labels[i])!.name)) / Pred: \(SVGChart.escape(p.best.label.name)) (\(String(format: "%.2f", p.best.confidence)))</figcaption></figure>"
            }
            body += "</div></section>"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>FashionSort model report</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
            h1 { margin-bottom: 0.2em } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em }
            .meta { color: #555 } .headline { font-size: 1.15em } .verdict { background: #f5f5f5; padding: 0.6em; border-left: 4px solid #1565c0 }
            .chart { margin: 0.5em 1em 0.5em 0 } .chart .title { font-weight: 600; font-size: 13px } .chart .tick { font-size: 10px; fill: #444 }
            .chart .grid { stroke: #e0e0e0 } .chart .mark { stroke: #2e7d32; stroke-dasharray: 4 3 } .chart .count { font-size: 11px }
            table { border-collapse: collapse } td, th { padding: 0.25em 0.8em; border-bottom: 1px solid #eee; text-align: right }
            td:first-child, th:first-child { text-align: left } .total td { font-weight: 600 }
            .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 10px }
            figure { margin: 0; text-align: center } figure img { width: 84px; height: 84px; image-rendering: pixelated; border: 1px solid #ccc }
            figcaption { font-size: 11px }
            </style></head><body>
            \(body)
            </body></html>

            """
    }

    private var reliabilityLabels: [String] { (0..<10).map { "\($0 * 10)–\($0 * 10 + 10)%" } }

    private func reliability(_ p: Tensor, _ labels: [Int]) -> [(name: String, color: String, values: [Double])] {
        var n = [Double](repeating: 0, count: 10), conf = n, acc = n
        for (i, y) in labels.enumerated() {
            let pred = Prediction(probabilities: p.data[i * 10..<i * 10 + 10])
            let b = min(9, Int(Double(pred.best.confidence) * 10))
            n[b] += 1; conf[b] += Double(pred.best.confidence)
            if pred.best.label.rawValue == y { acc[b] += 1 }
        }
        return [
            ("confidence %", "#1565c0", (0..<10).map { n[$0] > 0 ? 100 * conf[$0] / n[$0] : 0 }),
            ("accuracy %", "#2e7d32", (0..<10).map { n[$0] > 0 ? 100 * acc[$0] / n[$0] : 0 }),
        ]
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
