/// Where photos are held back from the class folders, by the top-class
/// confidence: below `other` a photo is taken for none of the classes
/// (`other/`), below `review` it waits for a person (`review/<class>/`).
/// Chosen on real photos by `fashionsort calibrate --photos` and stored in the
/// checkpoint, so the daemon and `classify` apply it without flags.
public struct OperatingPoint: Codable, Sendable, Equatable {
    public enum Disposition: String, Sendable { case classified, review, other }

    public var other: Float
    public var review: Float
    /// What the thresholds were chosen on, and what they gave there.
    public var chosenOn: [String]
    public var photos: Int, outliers: Int
    public var correctHeld: Double, wrongHeld: Double, outliersHeld: Double, outliersInOther: Double

    enum CodingKeys: String, CodingKey {
        case other, review, photos, outliers
        case chosenOn = "chosen_on"
        case correctHeld = "correct_held"
        case wrongHeld = "wrong_held"
        case outliersHeld = "outliers_held"
        case outliersInOther = "outliers_in_other"
    }

    public init(
        other: Float, review: Float, chosenOn: [String] = [], photos: Int = 0, outliers: Int = 0,
        correctHeld: Double = 0, wrongHeld: Double = 0, outliersHeld: Double = 0, outliersInOther: Double = 0
    ) {
        self.other = other; self.review = review; self.chosenOn = chosenOn; self.photos = photos
        self.outliers = outliers; self.correctHeld = correctHeld; self.wrongHeld = wrongHeld
        self.outliersHeld = outliersHeld; self.outliersInOther = outliersInOther
    }

    /// For checkpoints without a stored point: the review threshold the daemon always had, no `other/`.
    public static let unchosen = OperatingPoint(other: 0, review: 0.6)

    public func disposition(_ confidence: Float) -> Disposition {
        confidence < other ? .other : confidence < review ? .review : .classified
    }

    /// The same point with thresholds a person set (nil keeps the stored one).
    public func overriding(other: Float?, review: Float?) -> OperatingPoint {
        var p = self
        if let other { p.other = other }
        if let review { p.review = review }
        return p
    }
}

/// Confidences of labelled in-class photos and of outliers, and what a
/// threshold would hold back of each.
public struct HoldBack: Sendable {
    public struct Row: Sendable {
        public var threshold: Float
        /// Shares held back (confidence below the threshold).
        public var correct: Double, wrong: Double, outliers: Double
    }

    public var correct: [Float], wrong: [Float], outliers: [Float]

    public init(predictions: [Prediction], labels: [Int], outliers: [Prediction]) {
        var correct: [Float] = [], wrong: [Float] = []
        for (p, y) in zip(predictions, labels) {
            if p.best.label.rawValue == y { correct.append(p.best.confidence) } else { wrong.append(p.best.confidence) }
        }
        self.correct = correct.sorted(); self.wrong = wrong.sorted()
        self.outliers = outliers.map(\.best.confidence).sorted()
    }

    public func row(_ t: Float) -> Row {
        Row(
            threshold: t, correct: Self.share(correct, below: t), wrong: Self.share(wrong, below: t),
            outliers: Self.share(outliers, below: t))
    }

    /// The largest threshold that holds back at most `budget` of the correct answers.
    public func threshold(holdingCorrect budget: Double) -> Float {
        let allowed = Int((budget * Double(correct.count)).rounded(.down))
        // Holding back correct[0..<allowed] means a threshold up to correct[allowed].
        return allowed < correct.count ? correct[allowed] : 1
    }

    /// Area under the ROC curve of "outlier" against "in-class" by low confidence:
    /// the chance that a random outlier scores below a random in-class photo (ties count half).
    public var auroc: Double { Self.auroc(inClass: correct + wrong, outliers: outliers) }

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

    /// `review` holds back `reviewBudget` of the correct answers, `other` the lower `otherBudget` of them.
    public func choose(reviewBudget: Double, otherBudget: Double, chosenOn: [String]) -> OperatingPoint {
        let review = threshold(holdingCorrect: reviewBudget)
        let other = min(review, threshold(holdingCorrect: otherBudget))
        let held = row(review)
        return OperatingPoint(
            other: other, review: review, chosenOn: chosenOn, photos: correct.count + wrong.count,
            outliers: outliers.count, correctHeld: held.correct, wrongHeld: held.wrong, outliersHeld: held.outliers,
            outliersInOther: Self.share(outliers, below: other))
    }

    static func count(_ sorted: [Float], below t: Float) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func share(_ sorted: [Float], below t: Float) -> Double {
        sorted.isEmpty ? 0 : Double(count(sorted, below: t)) / Double(sorted.count)
    }
}
