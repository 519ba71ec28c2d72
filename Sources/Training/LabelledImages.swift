import FashionModel
import Foundation

/// Images and labels as float pixels in [0, 1], row-major 28×28 per image.
public struct LabelledImages: Sendable {
    public var pixels: [Float]  // [N, 28·28]
    public var labels: [Int]  // [N]
    public static let side = Model.side
    public static let size = side * side

    public init(pixels: [Float], labels: [Int]) {
        precondition(pixels.count == labels.count * Self.size)
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The images at `indices`, as a new set.
    public func subset(_ indices: some Collection<Int>) -> LabelledImages {
        var p = [Float](); p.reserveCapacity(indices.count * Self.size)
        for i in indices { p += pixels[i * Self.size..<(i + 1) * Self.size] }
        return LabelledImages(pixels: p, labels: indices.map { labels[$0] })
    }

    /// How often each class's images are repeated to even out the classes: round((largest class / its
    /// count)^power) times; 0 keeps the set as it is, 1 evens the classes out, ½ meets halfway.
    /// Phone photos of shoes are few, and a class trained on rarely is rarely predicted.
    public static func classRepeats(
        _ labels: [Int], power: Double
    ) -> [(label: Int, count: Int, repeats: Int)] {
        let counts = Dictionary(grouping: labels, by: { $0 }).mapValues(\.count).sorted { $0.key < $1.key }
        let largest = counts.map(\.value).max() ?? 0
        return counts.map { ($0.key, $0.value, max(1, Int(pow(Double(largest) / Double($0.value), power).rounded()))) }
    }

    public static func + (a: LabelledImages, b: LabelledImages) -> LabelledImages {
        LabelledImages(pixels: a.pixels + b.pixels, labels: a.labels + b.labels)
    }
}

/// Extra photos mixed into a training set, each with loss weight `weight`.
public struct DatasetMix: Sendable {
    public var images: LabelledImages
    /// Loss weight per image: 1 for the base set, `weight` for the extra photos.
    public var weights: [Float]
    /// Images of the base set, which come first.
    public var baseCount: Int

    public init(base: LabelledImages, extra: LabelledImages, weight: Float) {
        baseCount = base.count
        images = base + extra
        weights = [Float](repeating: 1, count: base.count) + [Float](repeating: weight, count: extra.count)
    }

    /// How often a set of `extra` images is repeated to make up `share` of what is trained on.
    public static func rounds(base: Int, extra: Int, share: Double) -> Int {
        precondition(extra > 0 && (0..<1).contains(share))
        return max(1, Int((share / (1 - share) * Double(base) / Double(extra)).rounded()))
    }

    public var extraCount: Int { images.count - baseCount }
}
