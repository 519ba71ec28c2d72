import NeuralNet
import TestSupport
import Testing
@testable import FashionModel

@Suite struct OperatingPointTests {
    /// A prediction of `label` with top confidence `c` (the rest shared evenly).
    static func prediction(_ label: Int, _ c: Float) -> Prediction {
        var row = [Float](repeating: (1 - c) / 9, count: 10)
        row[label] = c
        return Prediction(probabilities: row[...])
    }

    @Test func dispositionFollowsTheThresholds() {
        let p = OperatingPoint(other: 0.3, review: 0.7)
        #expect(p.disposition(0.1) == .other && p.disposition(0.3) == .review)
        #expect(p.disposition(0.69) == .review && p.disposition(0.7) == .classified)
        #expect(OperatingPoint.unchosen.disposition(0.01) == .review)
        #expect(p.overriding(other: nil, review: 0.9) == OperatingPoint(other: 0.3, review: 0.9))
    }

    @Test func thresholdHoldsBackAtMostTheBudget() {
        // Ten correct answers at 0.1…1.0, two wrong at 0.2 and 0.95, outliers at 0.15, 0.25, 0.5, 0.99.
        let correct = (1...10).map { Self.prediction(0, Float($0) / 10) }
        let wrong = [Self.prediction(1, 0.2), Self.prediction(1, 0.95)]
        let outliers = [0.15, 0.25, 0.5, 0.99].map { Self.prediction(2, Float($0)) }
        let h = HoldBack(predictions: correct + wrong, labels: [Int](repeating: 0, count: 12), outliers: outliers)
        #expect(h.correct.count == 10 && h.wrong.count == 2)
        let t = h.threshold(holdingCorrect: 0.3)
        #expect(abs(t - 0.4) < 1e-6)  // holds back 0.1, 0.2, 0.3: 30%
        let r = h.row(t)
        #expect(abs(r.correct - 0.3) < 1e-9 && r.wrong == 0.5 && r.outliers == 0.5)
        let point = h.choose(reviewBudget: 0.3, otherBudget: 0.1, chosenOn: ["photos"])
        #expect(abs(point.review - 0.4) < 1e-6 && abs(point.other - 0.2) < 1e-6)
        #expect(point.photos == 12 && point.outliers == 4 && point.outliersInOther == 0.25)
    }

    @Test func aurocIsTheChanceAnOutlierScoresLower() {
        let inClass = [0.5, 0.9].map { Self.prediction(0, Float($0)) }
        let low = HoldBack(predictions: inClass, labels: [0, 0], outliers: [Self.prediction(3, 0.2)])
        #expect(low.auroc == 1)
        let mixed = HoldBack(
            predictions: inClass, labels: [0, 0], outliers: [Self.prediction(3, 0.5), Self.prediction(3, 0.95)])
        #expect(mixed.auroc == 0.375)  // 0.5: one above, one tie (1.5); 0.95: none; 1.5 / (2·2)
    }

    @Test func storedPointSurvivesTheCheckpoint() throws {
        let dir = temporaryDirectory()
        let model = Model(architecture: .seed, seed: 1)
        #expect(model.operatingPoint == nil && model.decision == .unchosen)
        let point = OperatingPoint(
            other: 0.25, review: 0.75, chosenOn: ["a", "b"], photos: 290, outliers: 51, correctHeld: 0.08,
            wrongHeld: 0.5, outliersHeld: 0.9, outliersInOther: 0.6)
        model.operatingPoint = point
        try model.save(to: "\(dir)/m.safetensors")
        let reloaded = try Model(contentsOf: "\(dir)/m.safetensors")
        #expect(reloaded.operatingPoint == point && reloaded.decision == point)
    }
}
