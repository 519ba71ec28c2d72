import FashionModel
import Foundation
import ImageIntake
import NeuralNet

/// Ranges of the random `ImageVariation`s drawn for the copies of a training photo: another framing,
/// pose, aspect and light, as a second shot of the garment would have (docs/MODEL.md measures them).
public struct PhotoVariety: Sendable, Equatable {
    /// Largest fraction cut off at each side.
    public var crop: Float = 0.1
    /// Largest rotation either way, degrees.
    public var degrees: Float = 10
    /// Largest aspect change either way (0.1: width × 0.9 … 1.1).
    public var stretch: Float = 0.1
    /// Largest brightness change either way (each channel's gain varies by a third of it more).
    public var gain: Float = 0.2
    /// Largest |log gamma|.
    public var gamma: Float = 0.3

    public init() {}

    public func draw(_ rng: inout RNG) -> ImageVariation {
        var v = ImageVariation()
        v.left = crop * rng.uniform(); v.top = crop * rng.uniform()
        v.right = crop * rng.uniform(); v.bottom = crop * rng.uniform()
        v.angle = (2 * rng.uniform() - 1) * degrees * .pi / 180
        v.stretch = 1 + (2 * rng.uniform() - 1) * stretch
        let light = 1 + (2 * rng.uniform() - 1) * gain
        v.gains = (0..<3).map { _ in light * (1 + (2 * rng.uniform() - 1) * gain / 3) }
        v.gamma = exp((2 * rng.uniform() - 1) * gamma)
        return v
    }

    /// `count` model inputs [count, 28·28] of `image`, the `index`th photo of a set: the photo as it is, then
    /// `count - 1` variations of it, the same for the same `seed` however the set is loaded.
    public func copies(of image: Image, index: Int, count: Int, seed: UInt64) -> [Float] {
        var rng = RNG(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        var out = FashionConversion.convert(image)
        out.reserveCapacity(count * LabelledImages.size)
        for _ in 1..<max(1, count) { out += FashionConversion.convert(draw(&rng).apply(image)) }
        return out
    }
}

/// The outlier images trained on as "none of these" (`train --outliers`), each also as `variations` random
/// variations of it, drawn once at load so the pool costs memory, not time in every batch. Images are numbered
/// across everything added, so a folder added twice adds other variations of its images, not the same again.
public struct OutlierPool: Sendable {
    /// Every image and variation [M, 28·28].
    public private(set) var pixels: [Float] = []
    private var numbered = 0
    private let variety = PhotoVariety()
    private let variations: Int, seed: UInt64

    public init(variations: Int, seed: UInt64) { (self.variations, self.seed) = (variations, seed) }

    /// Adds the decodable images of `files`: how many, and the errors of the others.
    public mutating func add(_ files: [String]) -> (added: Int, skipped: [IntakeError]) {
        let (variety, first, copies, seed) = (variety, numbered, 1 + variations, seed)
        let converted = LabelledFolders.images(files) { i, image in
            copies == 1
                ? FashionConversion.convert(image)
                : variety.copies(of: image, index: first + i, count: copies, seed: seed)
        }
        numbered += files.count
        pixels += converted.pixels
        return (converted.kept.count, converted.skipped)
    }
}

/// The labelled photos mixed into training. Each photo is copied to even out the classes (`balance`, as
/// `LabelledImages.classRepeats`) and to make up `share` of what is trained on; with a `variety`, each copy
/// after the first is a fresh random variation of the photo instead of the same 784 values again.
public struct TrainingPhotos: Sendable {
    /// Every copy [N, 28·28], a photo's copies side by side.
    public var images: LabelledImages
    /// Files that could not be decoded (their copies are left out).
    public var skipped: [IntakeError] = []
    /// Per class: photos listed, and copies of each in one round of the evened-out set.
    public var perClass: [(label: Int, count: Int, repeats: Int)]
    /// Rounds of the evened-out set that make up the share.
    public var rounds: Int
    /// Decoded photos per class label.
    public var photosPerClass: [Int: Int] = [:]

    public init(
        files: [String], labels: [Int], balance: Double, share: Double, baseCount: Int, variety: PhotoVariety?,
        seed: UInt64
    ) {
        precondition(!files.isEmpty && files.count == labels.count)
        let perClass = LabelledImages.classRepeats(labels, power: balance)
        let repeats = Dictionary(uniqueKeysWithValues: perClass.map { ($0.label, $0.repeats) })
        let rounds = DatasetMix.rounds(
            base: baseCount, extra: perClass.reduce(0) { $0 + $1.count * $1.repeats }, share: share)
        (self.perClass, self.rounds) = (perClass, rounds)
        let copies = labels.map { repeats[$0]! * rounds }
        let converted = LabelledFolders.images(files) { i, image in
            guard let variety else {
                let plain = FashionConversion.convert(image)
                return (0..<copies[i]).flatMap { _ in plain }
            }
            return variety.copies(of: image, index: i, count: copies[i], seed: seed)
        }
        images = LabelledImages(
            pixels: converted.pixels,
            labels: converted.kept.flatMap { [Int](repeating: labels[$0], count: copies[$0]) })
        skipped = converted.skipped
        for i in converted.kept { photosPerClass[labels[i], default: 0] += 1 }
    }
}
