import FashionModel
import Training
import Foundation
import NeuralNet
import TestSupport
import Testing
@testable import ModelReport

@Suite struct TrainingReportTests {
    func occurrences(_ needle: String, in hay: String) -> Int { hay.components(separatedBy: needle).count - 1 }

    /// A tiny model trained for `epochs` on a tiny synthetic set.
    func trained(seed: UInt64, epochs: Int) -> (Model, LabelledImages, [EpochRecord], Int) {
        var rng = RNG(seed: seed + 3)
        let set = LabelledImages(pixels: (0..<60 * 784).map { _ in rng.uniform() }, labels: (0..<60).map { $0 % 10 })
        let model = Model(architecture: .seed, seed: seed)
        var options = TrainingOptions()
        options.epochs = epochs
        options.batchSize = 20
        let (history, best) = Trainer(options: options).train(model, on: set, validation: set)
        return (model, set, history, best)
    }

    /// With labelled photos and outliers the page scores them and shows them: per-folder table and heatmap
    /// (rows: the folders with photos), the held-back trade-off, and grids of the photos themselves.
    @Test func photoSectionsShowTheRealPhotos() throws {
        let (model, set, history, best) = trained(seed: 4, epochs: 1)
        let root = temporaryDirectory("report-photos")
        for (dir, seeds) in [("coat", 0..<3), ("sneaker", 3..<5), ("other", 5..<7)] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true)
            for i in seeds { write(samplePNG(i), to: "\(root)/\(dir)/p\(i).png") }
        }
        model.operatingPoint = OperatingPoint(other: 0.05, review: 0.5, chosenOn: ["held-out photos"])
        let photos = PhotoEvaluation(model: model, photos: try LabelledFolders.load(root))
        let html = try TrainingReport(
            model: model, train: set, test: set, history: history, bestEpoch: best, photos: photos
        ).html()
        for id in ["photo-data", "photos", "held-back"] {
            #expect(html.contains("<section id=\"\(id)\">"), "missing section \(id)")
        }
        #expect(html.contains("over 2 folders of 5 labelled photos"))
        #expect(html.contains("chosen on held-out photos") && html.contains("0.500 (review)"))
        #expect(html.contains("Outliers (2 photos of things in no class) held back"))
        let shown = occurrences("data:image/jpeg;base64,", in: html)
        #expect(shown == 7, "every photo is in one grid: right, wrong, outliers held or outliers missed")
        #expect(html.contains("<figcaption>coat / ") && html.contains("<figcaption>outlier / "))
    }

    /// The page has every section and every chart has data.
    @Test func pageHasEverySectionWithData() throws {
        let (model, set, history, best) = trained(seed: 1, epochs: 3)
        let html = try TrainingReport(model: model, train: set, test: set, history: history, bestEpoch: best).html()
        for id in ["classes", "curves", "report", "confusion", "calibration", "correct", "wrong"] {
            #expect(html.contains("<section id=\"\(id)\">"), "missing section \(id)")
        }
        #expect(occurrences("<svg", in: html) == 5)
        #expect(occurrences("<polyline points=\"", in: html) == 4)  // loss and accuracy, train and validation
        #expect(!html.contains("points=\"\""))
        #expect(occurrences("class=\"cell\"", in: html) == 100)  // 10×10 confusion matrix
        #expect(occurrences("class=\"bar\"", in: html) == 40)  // class balance 2×10 + reliability 2×10
        #expect(html.contains("chosen epoch \(best)"))
        let figures = occurrences("<figure><img", in: html)
        #expect(figures > 0 && figures == occurrences("data:image/png;base64,iVBORw0KGgo", in: html))
        #expect(html.contains("<figcaption>True: "))
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("fine-tuned from"))
        let tuned = try TrainingReport(
            model: model, train: set, test: set, history: history, bestEpoch: best, fineTuneStart: 2
        ).html()
        #expect(
            tuned.contains(
                "Epochs 1–1 trained the checkpoint this model was fine-tuned from; "
                    + "epochs 2–3 are the fine-tuning."))
    }

    /// The values of every y axis on the page, axis by axis.
    func yAxes(_ html: String) -> [[Double]] {
        html.components(separatedBy: "<g class=\"y-axis\">").dropFirst().map { axis in
            let group = axis.components(separatedBy: "</g>")[0]
            return group.components(separatedBy: "text-anchor=\"end\">").dropFirst().map {
                Double($0.components(separatedBy: "<")[0])!
            }
        }
    }

    /// Whether a tick step is 1, 2 or 5 × 10^k.
    func isNice(_ step: Double) -> Bool {
        let mantissa = step / pow(10, log10(step).rounded(.down))
        return [1.0, 2, 5, 10].contains { abs(mantissa - $0) < 1e-6 }
    }

    /// The additions to the page: nice ticks, fine-tune marker, calibration diagonal and bin counts,
    /// the row-normalised heatmap with its colour scale, and how the image grids were chosen.
    @Test func pageExplainsItsCharts() throws {
        let (model, set, history, best) = trained(seed: 2, epochs: 4)
        let plain = try TrainingReport(model: model, train: set, test: set, history: history, bestEpoch: best).html()
        let html = try TrainingReport(
            model: model, train: set, test: set, history: history, bestEpoch: best, fineTuneStart: 3
        ).html()

        let axes = yAxes(html)
        #expect(axes.count == 4)  // class balance, loss, accuracy, reliability
        for axis in axes {
            #expect(axis.count >= 2)
            let step = axis[1] - axis[0]
            #expect(isNice(step), "tick step \(step) in \(axis)")
            #expect(zip(axis, axis.dropFirst()).allSatisfy { abs($1 - $0 - step) < step * 1e-6 }, "\(axis)")
            #expect(axis.allSatisfy { abs(($0 / step).rounded() * step - $0) < step * 1e-6 }, "\(axis)")
        }
        #expect(axes[3] == [0, 20, 40, 60, 80, 100])  // reliability in percent, so y = x is the diagonal

        #expect(occurrences("class=\"mark fine-tune\"", in: html) == 2)  // loss and accuracy
        #expect(occurrences("fine-tune from epoch 3", in: html) == 2)
        #expect(!plain.contains("mark fine-tune"))

        #expect(occurrences("class=\"diagonal\"", in: html) == 2)  // the line and its legend swatch
        #expect(html.contains("perfect calibration"))
        let bins = html.components(separatedBy: ">n = ").dropFirst().map { Int($0.components(separatedBy: "<")[0])! }
        #expect(bins.count == 10 && bins.reduce(0, +) == set.count)

        #expect(html.contains("share of the true class (row-normalised"))
        #expect(occurrences("class=\"scale\"", in: html) == 20)
        for id in ["correct", "wrong"] {
            let section = html.components(separatedBy: "<section id=\"\(id)\">")[1]
            #expect(section.contains("test images in test-set order"))
        }
        #expect(!html.contains("points=\"\""))
    }

    @Test func ticksAreNiceAndCoverTheData() {
        let counts = SVGChart.Ticks(covering: 0, 6600)
        #expect(counts.values == [0, 2000, 4000, 6000, 8000])
        let loss = SVGChart.Ticks(covering: 0.087, 0.671)
        #expect(loss.values.map(loss.label) == ["0.0", "0.2", "0.4", "0.6", "0.8"])
        let accuracy = SVGChart.Ticks(covering: 0.762, 0.969)
        #expect(accuracy.values.map(accuracy.label) == ["0.75", "0.80", "0.85", "0.90", "0.95", "1.00"])
        let flat = SVGChart.Ticks(covering: 0.5, 0.5)
        #expect(flat.values.count >= 2 && flat.range.contains(0.5))
        let epochs = SVGChart.Ticks(covering: 1, 3, count: 8, minStep: 1)
        #expect(epochs.values == [1, 2, 3])
    }

    @Test func heatmapShadesByRowShare() {
        let svg = SVGChart.heatmap(title: "t", labels: ["a", "b"], counts: [[9, 1], [0, 30]]).source
        #expect(svg.contains("fill=\"\(SVGChart.shade(0.9.squareRoot()))\""))
        #expect(svg.contains("fill=\"\(SVGChart.shade(1))\" class=\"cell\"><title>true b, predicted b: 30 (100.0%)"))
        #expect(svg.contains("<title>true a, predicted b: 1 (10.0%)</title>"))
    }

    @Test func markupEscapesAndFormats() {
        let text = Markup.element("text", ["x": 1.25, "y": 3.0, "class": "a\"b"], [Markup("<&>"), "x < y"])
        #expect(text.source == "<text x=\"1.3\" y=\"3\" class=\"a&quot;b\">&lt;&amp;&gt;x &lt; y</text>")
        #expect(Markup.element("td").source == "<td></td>")
        #expect(Markup.element("img", ["src": "p.png"]).source == "<img src=\"p.png\">")
        #expect(Markup.number(-0.04) == "0")
    }

    @Test func verdictNamesOverfitting() {
        func r(_ e: Int, _ tl: Float, _ vl: Float, _ ta: Float, _ va: Float) -> EpochRecord {
            EpochRecord(
                epoch: e, trainLoss: tl, trainAccuracy: ta, validationLoss: vl, validationAccuracy: va, learningRate: 0,
                seconds: 0)
        }
        let over = [r(1, 0.5, 0.4, 0.8, 0.85), r(2, 0.3, 0.3, 0.9, 0.9), r(3, 0.1, 0.45, 0.97, 0.89)]
        #expect(TrainingReport.verdict(over, best: 2).hasPrefix("Overfitting after epoch 2"))
        let under = [r(1, 0.5, 0.4, 0.8, 0.85), r(2, 0.4, 0.3, 0.86, 0.9)]
        #expect(TrainingReport.verdict(under, best: 2).hasPrefix("No overfitting"))
    }
}
