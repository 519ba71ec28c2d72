import FashionModel
import Foundation
import ImageIntake
import NeuralNet

/// A shop's own labelled photos kept out of a fine-tune, to judge it by what the shop cares about: is the
/// model better on its photos that it did not train on? In-class photos and photos of none of the classes
/// (an `other/` folder), as model inputs.
public struct ShopPhotos: Sendable {
    public var images: LabelledImages
    /// [M, 28·28] photos of things in no class.
    public var outliers: [Float]

    public var outlierCount: Int { outliers.count / LabelledImages.size }
    public var isEmpty: Bool { images.count == 0 && outlierCount == 0 }

    /// The files decoded and converted as the daemon converts them; what cannot be decoded is returned.
    public static func load(
        files: [String], labels: [Int], outlierFiles: [String]
    ) -> (
        photos: ShopPhotos, skipped: [IntakeError]
    ) {
        let inClass = LabelledFolders.images(files), other = LabelledFolders.images(outlierFiles)
        let images = LabelledImages(pixels: inClass.pixels, labels: inClass.kept.map { labels[$0] })
        return (ShopPhotos(images: images, outliers: other.pixels), inClass.skipped + other.skipped)
    }

    /// How a network does on these photos: accuracy and mean per-class recall of the top class, and the
    /// share of outliers `point` holds back, with the probabilities `model` would give (its temperature,
    /// its eleventh output).
    public func score(_ plan: InferencePlan, as model: Model, point: OperatingPoint) -> ShopScore {
        func predictions(_ pixels: [Float]) -> [Prediction] {
            pixels.isEmpty ? [] : Prediction.rows(model.classProbabilities(plan.logits(pixels: pixels, batch: 256)))
        }
        let found = predictions(images.pixels).map(\.best.label.rawValue)
        var right: [Int: Int] = [:], total: [Int: Int] = [:]
        for (guess, label) in zip(found, images.labels) {
            total[label, default: 0] += 1
            if guess == label { right[label, default: 0] += 1 }
        }
        let recalls = total.map { Double(right[$0.key] ?? 0) / Double($0.value) }
        let held = predictions(outliers).filter { point.disposition($0) != .classified }.count
        return ShopScore(
            accuracy: images.count == 0 ? 0 : Double(right.values.reduce(0, +)) / Double(images.count),
            meanRecall: recalls.isEmpty ? 0 : recalls.reduce(0, +) / Double(recalls.count),
            outliersHeld: outlierCount == 0 ? nil : Double(held) / Double(outlierCount))
    }
}

/// A model's figures on a shop's held-out photos.
public struct ShopScore: Sendable, Equatable, CustomStringConvertible {
    public var accuracy: Double, meanRecall: Double
    /// Share of the held-out outlier photos kept out of the class folders (nil without any).
    public var outliersHeld: Double?

    /// Worse for the shop: a lower mean recall, or the same with lower accuracy, or outliers held back
    /// less by more than one photo in twenty.
    public func isWorse(than other: ShopScore) -> Bool {
        if let a = outliersHeld, let b = other.outliersHeld, a < b - 0.05 { return true }
        return meanRecall < other.meanRecall - 1e-9
            || (abs(meanRecall - other.meanRecall) <= 1e-9 && accuracy < other.accuracy - 1e-9)
    }

    /// One number to choose the best epoch by: mean recall first, then accuracy, then outliers.
    public var rank: Double { meanRecall + accuracy / 1000 + (outliersHeld ?? 0) / 1_000_000 }

    public var description: String {
        var text = String(format: "accuracy %.3f, mean recall %.3f", accuracy, meanRecall)
        if let outliersHeld { text += String(format: ", outliers held back %.0f%%", outliersHeld * 100) }
        return text
    }
}

/// Stratified hold-out: from each class (and from the outliers) the same share of photos, drawn with a seed.
public enum HoldOut {
    /// Indices of `labels` split into (kept, held): from each label `share` of its items, rounded, but at least
    /// one from a label with two or more and none from a label with one (it is needed to learn from); none at
    /// all for a share of 0.
    public static func split(labels: [Int], share: Double, seed: UInt64) -> (kept: [Int], held: [Int]) {
        var rng = RNG(seed: seed)
        var kept: [Int] = [], held: [Int] = []
        for label in Set(labels).sorted() {
            var members = labels.indices.filter { labels[$0] == label }
            members.shuffle(using: &rng)
            let n = members.count
            let take = n < 2 || share <= 0 ? 0 : min(n - 1, max(1, Int((Double(n) * share).rounded())))
            held += members[..<take]
            kept += members[take...]
        }
        return (kept.sorted(), held.sorted())
    }
}
