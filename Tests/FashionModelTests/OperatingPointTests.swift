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

    /// A prediction of an eleven-output model: `label` at `c`, "none of these" at `none`, the rest shared evenly.
    static func prediction(_ label: Int, _ c: Float, none: Float) -> Prediction {
        var row = [Float](repeating: (1 - c - none) / 9, count: 10)
        row[label] = c
        return Prediction(probabilities: row[...])
    }

    @Test func dispositionFollowsTheThresholds() {
        let p = OperatingPoint(other: 0.3, review: 0.7)
        func at(_ c: Float) -> HoldBack.Score { HoldBack.Score(confidence: c) }
        #expect(p.disposition(at(0.1)) == .other && p.disposition(at(0.3)) == .review)
        #expect(p.disposition(at(0.69)) == .review && p.disposition(at(0.7)) == .classified)
        #expect(OperatingPoint.unchosen.disposition(at(0.01)) == .review)
        #expect(p.overriding(other: nil, review: 0.9) == OperatingPoint(other: 0.3, review: 0.9))
    }

    @Test func noneOfTheseIsWhatTheClassesLeaveAndSendsToOther() {
        let sure = Self.prediction(2, 0.6, none: 0.3)
        #expect(abs(sure.noneOfThese - 0.3) < 1e-6 && Self.prediction(2, 0.6).noneOfThese < 1e-6)
        let p = OperatingPoint(other: 0, review: 0.5, noneOfThese: 0.25)
        #expect(p.disposition(sure) == .other)
        #expect(p.disposition(Self.prediction(2, 0.6, none: 0.2)) == .classified)
        #expect(p.disposition(Self.prediction(2, 0.4, none: 0.2)) == .review)
        #expect(p.overriding(other: nil, review: nil, noneOfThese: 0.5).disposition(sure) == .classified)
        #expect(p.summary == "other/ from none of these 0.250, review/ below 0.500")
    }

    @Test func byNoneOfTheseOtherTakesItsShareAndReviewTheRest() {
        // Ten correct answers: confidence 0.1…1.0, "none of these" 0.4 for the two at 0.5 and 0.6, else 0.
        let correct = (1...10).map { Self.prediction(0, Float($0) / 10, none: $0 == 5 || $0 == 6 ? 0.4 : 0) }
        // Outliers: two sure of "none of these", one unsure of its class, one sure of a class.
        let outliers = [
            Self.prediction(2, 0.55, none: 0.45), Self.prediction(2, 0.9, none: 0.1), Self.prediction(2, 0.15),
            Self.prediction(2, 0.99),
        ]
        let h = HoldBack(predictions: correct, labels: [Int](repeating: 0, count: 10), outliers: outliers)
        #expect(abs(h.noneOfTheseThreshold(holdingCorrect: 0.2)! - 0.4) < 1e-6)
        var tied = h
        tied.correct = [0.4, 0.4, 0, 0].map { HoldBack.Score(confidence: 1, noneOfThese: $0) }
        #expect(tied.noneOfTheseThreshold(holdingCorrect: 0.25) == nil)  // both or neither
        #expect(tied.noneOfTheseThreshold(holdingCorrect: 0.5) == 0.4)
        let point = h.choose(reviewBudget: 0.4, otherBudget: 0.2, byNoneOfThese: true, chosenOn: ["photos"])
        // other/ takes 0.5 and 0.6; review the two least confident of the rest (0.1, 0.2): below 0.3.
        #expect(abs(point.noneOfThese! - 0.4) < 1e-6 && point.other == 0 && abs(point.review - 0.3) < 1e-6)
        #expect(abs(point.correctHeld - 0.4) < 1e-9 && point.outliersHeld == 0.5 && point.outliersInOther == 0.25)
        #expect(h.noneOfTheseAUROC > h.auroc)
        let row = h.row(0.3, noneOfThese: point.noneOfThese)
        #expect(abs(row.correct - 0.4) < 1e-9 && row.outliers == 0.5)
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
        let point = h.choose(reviewBudget: 0.3, otherBudget: 0.1, byNoneOfThese: false, chosenOn: ["photos"])
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
            other: 0.25, review: 0.75, noneOfThese: 0.125, chosenOn: ["a", "b"], photos: 290, outliers: 51,
            correctHeld: 0.08, wrongHeld: 0.5, outliersHeld: 0.9, outliersInOther: 0.6)
        model.operatingPoint = point
        try model.save(to: "\(dir)/m.safetensors")
        let reloaded = try Model(contentsOf: "\(dir)/m.safetensors")
        #expect(reloaded.operatingPoint == point && reloaded.decision == point)
    }
}
