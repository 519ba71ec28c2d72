import FashionModel
import Foundation
import NeuralNet
import Testing
@testable import ModelReport

@Suite struct TrainingReportTests {
    func occurrences(_ needle: String, in hay: String) -> Int { hay.components(separatedBy: needle).count - 1 }

    /// A tiny model on a tiny synthetic set: the page has every section and every chart has data.
    @Test func pageHasEverySectionWithData() throws {
        var rng = RNG(seed: 4)
        let set = LabelledImages(pixels: (0..<60 * 784).map { _ in rng.uniform() }, labels: (0..<60).map { $0 % 10 })
        let model = Model(architecture: .seed, seed: 1)
        var options = TrainingOptions()
        options.epochs = 3
        options.batchSize = 20
        let (history, best) = Trainer(options: options).train(model, on: set, validation: set)
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
