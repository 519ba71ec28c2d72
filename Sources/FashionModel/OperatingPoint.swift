import Foundation
/// Where photos are held back from the class folders. A photo is taken for none of the classes (`other/`) when
/// its "none of these" probability is at least `noneOfThese` (models with an eleventh output) or its top-class
/// confidence is below `other`; it waits for a person (`review/<class>/`) when that confidence is below `review`.
/// Chosen on real photos by `fashionsort calibrate --photos` and stored in the checkpoint, so the daemon and
/// `classify` apply it without flags.
public struct OperatingPoint: Codable, Sendable, Equatable {
    public enum Disposition: String, Sendable { case classified, review, other }

    public var other: Float
    public var review: Float
    /// The eleventh output's share from which a photo goes to other/; nil: other/ by confidence alone.
    public var noneOfThese: Float?
    /// What the thresholds were chosen on, and what they gave there.
    public var chosenOn: [String]
    public var photos: Int, outliers: Int
    public var correctHeld: Double, wrongHeld: Double, outliersHeld: Double, outliersInOther: Double

    enum CodingKeys: String, CodingKey {
        case other, review, photos, outliers
        case noneOfThese = "none_of_these"
        case chosenOn = "chosen_on"
        case correctHeld = "correct_held"
        case wrongHeld = "wrong_held"
        case outliersHeld = "outliers_held"
        case outliersInOther = "outliers_in_other"
    }

    public init(
        other: Float, review: Float, noneOfThese: Float? = nil, chosenOn: [String] = [], photos: Int = 0,
        outliers: Int = 0, correctHeld: Double = 0, wrongHeld: Double = 0, outliersHeld: Double = 0,
        outliersInOther: Double = 0
    ) {
        self.other = other; self.review = review; self.noneOfThese = noneOfThese; self.chosenOn = chosenOn
        self.photos = photos; self.outliers = outliers; self.correctHeld = correctHeld; self.wrongHeld = wrongHeld
        self.outliersHeld = outliersHeld; self.outliersInOther = outliersInOther
    }

    /// For checkpoints without a stored point: the review threshold the daemon always had, no `other/`.
    public static let unchosen = OperatingPoint(other: 0, review: 0.6)

    public func disposition(_ p: Prediction) -> Disposition {
        disposition(HoldBack.Score(confidence: p.best.confidence, noneOfThese: p.noneOfThese))
    }

    public func disposition(_ s: HoldBack.Score) -> Disposition {
        if let noneOfThese, s.noneOfThese >= noneOfThese { return .other }
        return s.confidence < other ? .other : s.confidence < review ? .review : .classified
    }

    /// Which threshold held a photo back, with both figures (`none of these 0.312 >= 0.174`,
    /// `confidence 0.410 < 0.458`); empty for a photo it classifies.
    public func reason(_ p: Prediction) -> String {
        func f(_ x: Float) -> String { String(format: "%.3f", x) }
        if let noneOfThese, p.noneOfThese >= noneOfThese {
            return "none of these \(f(p.noneOfThese)) >= \(f(noneOfThese))"
        }
        let c = p.best.confidence
        return c < other ? "confidence \(f(c)) < \(f(other))" : c < review ? "confidence \(f(c)) < \(f(review))" : ""
    }

    /// The same point with thresholds a person set (nil keeps the stored one).
    public func overriding(other: Float?, review: Float?, noneOfThese: Float? = nil) -> OperatingPoint {
        var p = self
        if let other { p.other = other }
        if let review { p.review = review }
        if let noneOfThese { p.noneOfThese = noneOfThese }
        return p
    }

    /// The thresholds in words, as the daemon's start line, `calibrate` and the report say them.
    public var summary: String {
        let other =
            noneOfThese.map { String(format: "other/ from none of these %.3f", $0) }
            ?? String(format: "other/ below %.3f", self.other)
        return other + String(format: ", review/ below %.3f", review)
    }
}

/// The two scores of labelled in-class photos and of outliers, and what thresholds would hold back of each.
public struct HoldBack: Sendable {
    /// What a photo is held back by: its top-class confidence and its "none of these" share.
    public struct Score: Sendable, Equatable {
        public var confidence: Float, noneOfThese: Float
        public init(confidence: Float, noneOfThese: Float = 0) {
            self.confidence = confidence; self.noneOfThese = noneOfThese
        }
    }

    public struct Row: Sendable {
        public var threshold: Float
        /// Shares held back (confidence below the threshold, or taken for none of these).
        public var correct: Double, wrong: Double, outliers: Double
    }

    public var correct: [Score], wrong: [Score], outliers: [Score]

    public init(predictions: [Prediction], labels: [Int], outliers: [Prediction]) {
        func score(_ p: Prediction) -> Score { Score(confidence: p.best.confidence, noneOfThese: p.noneOfThese) }
        var correct: [Score] = [], wrong: [Score] = []
        for (p, y) in zip(predictions, labels) {
            if p.best.label.rawValue == y { correct.append(score(p)) } else { wrong.append(score(p)) }
        }
        (self.correct, self.wrong, self.outliers) = (correct, wrong, outliers.map(score))
    }

    /// What a review threshold `t` holds back, with other/ from the "none of these" share `noneOfThese` if given.
    public func row(_ t: Float, noneOfThese: Float? = nil) -> Row {
        let point = OperatingPoint(other: 0, review: t, noneOfThese: noneOfThese)
        return Row(
            threshold: t, correct: Self.share(correct, heldAt: point), wrong: Self.share(wrong, heldAt: point),
            outliers: Self.share(outliers, heldAt: point))
    }

    /// The largest review threshold that holds back at most `budget` of the correct answers, together with
    /// those other/ takes from the "none of these" share `noneOfThese` if given.
    public func threshold(holdingCorrect budget: Double, noneOfThese: Float? = nil) -> Float {
        let allowed = Int((budget * Double(correct.count)).rounded(.down))
        let takesOther = { (s: Score) in noneOfThese.map { s.noneOfThese >= $0 } ?? false }
        let rest = correct.filter { !takesOther($0) }.map(\.confidence).sorted()
        let k = allowed - (correct.count - rest.count)
        // Holding back rest[0..<k] means a threshold up to rest[k].
        return k < 0 ? 0 : k < rest.count ? rest[k] : 1
    }

    /// The "none of these" share from which other/ takes as many correct answers as `budget` allows (fewer where
    /// ties would pass it); nil when it can take none.
    public func noneOfTheseThreshold(holdingCorrect budget: Double) -> Float? {
        let allowed = Int((budget * Double(correct.count)).rounded(.down))
        let shares = correct.map(\.noneOfThese).sorted(by: >)
        // Everything above the first share that may not go goes.
        let kept = allowed < shares.count ? shares[allowed] : -1
        return shares.filter { $0 > kept }.min()
    }

    /// Area under the ROC curve of "outlier" against "in-class" by low confidence:
    /// the chance that a random outlier scores below a random in-class photo (ties count half).
    public var auroc: Double {
        Self.auroc(inClass: (correct + wrong).map(\.confidence), outliers: outliers.map(\.confidence))
    }

    /// The same by the "none of these" share (high: outlier).
    public var noneOfTheseAUROC: Double {
        Self.auroc(inClass: (correct + wrong).map { -$0.noneOfThese }, outliers: outliers.map { -$0.noneOfThese })
    }

    /// The same for any score that is low for outliers.
    public static func auroc(inClass: [Float], outliers: [Float]) -> Double {
        let inClass = inClass.sorted()
        guard !inClass.isEmpty, !outliers.isEmpty else { return .nan }
        var sum = 0.0
        for o in outliers {
            let below = count(inClass, below: o), notAbove = count(inClass, below: o.nextUp)
            sum += Double(inClass.count - notAbove) + 0.5 * Double(notAbove - below)
        }
        return sum / Double(outliers.count * inClass.count)
    }

    /// `review` holds back `reviewBudget` of the correct answers in all, of which other/ takes `otherBudget`: by
    /// the "none of these" share when `byNoneOfThese` (a model with an eleventh output), else the least confident.
    public func choose(
        reviewBudget: Double, otherBudget: Double, byNoneOfThese: Bool, chosenOn: [String]
    ) -> OperatingPoint {
        var point: OperatingPoint
        if byNoneOfThese {
            let none = noneOfTheseThreshold(holdingCorrect: otherBudget)
            point = OperatingPoint(
                other: 0, review: threshold(holdingCorrect: reviewBudget, noneOfThese: none), noneOfThese: none)
        } else {
            let review = threshold(holdingCorrect: reviewBudget)
            point = OperatingPoint(other: min(review, threshold(holdingCorrect: otherBudget)), review: review)
        }
        point.chosenOn = chosenOn
        (point.photos, point.outliers) = (correct.count + wrong.count, outliers.count)
        point.correctHeld = Self.share(correct, heldAt: point)
        point.wrongHeld = Self.share(wrong, heldAt: point)
        point.outliersHeld = Self.share(outliers, heldAt: point)
        point.outliersInOther = Self.share(outliers) { point.disposition($0) == .other }
        return point
    }

    static func count(_ sorted: [Float], below t: Float) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func share(_ scores: [Score], heldAt point: OperatingPoint) -> Double {
        share(scores) { point.disposition($0) != .classified }
    }

    static func share(_ scores: [Score], where held: (Score) -> Bool) -> Double {
        scores.isEmpty ? 0 : Double(scores.filter(held).count) / Double(scores.count)
    }
}
