import Foundation

/// Images and labels as float pixels in [0, 1], row-major 28×28 per image.
public struct LabelledImages: Sendable {
    public var pixels: [Float]  // [N, 28·28]
    public var labels: [Int]  // [N]
    public static let side = 28
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

    /// Repeats each class's images round((largest class / its count)^power)
    /// times: 0 keeps the set as it is, 1 evens the classes out, ½ meets halfway.
    /// Phone photos of shoes are few, and a class trained on rarely is rarely predicted.
    public func balancedByClass(
        power: Double
    ) -> (images: LabelledImages, repeats: [(label: Int, count: Int, repeats: Int)]) {
        let byClass = Dictionary(grouping: labels.indices, by: { labels[$0] }).sorted { $0.key < $1.key }
        let largest = byClass.map(\.value.count).max() ?? 0
        var indices: [Int] = [], repeats: [(label: Int, count: Int, repeats: Int)] = []
        for (label, members) in byClass {
            let r = max(1, Int(pow(Double(largest) / Double(members.count), power).rounded()))
            for _ in 0..<r { indices += members }
            repeats.append((label, members.count, r))
        }
        return (subset(indices), repeats)
    }

    public static func + (a: LabelledImages, b: LabelledImages) -> LabelledImages {
        LabelledImages(pixels: a.pixels + b.pixels, labels: a.labels + b.labels)
    }
}

/// Extra photos mixed into a training set: repeated until they make up
/// `share` of what is trained on, each with loss weight `weight`.
public struct DatasetMix: Sendable {
    public var images: LabelledImages
    /// Loss weight per image: 1 for the base set, `weight` for the extra photos.
    public var weights: [Float]
    public var repeats: Int
    /// Images of the base set, which come first.
    public var baseCount: Int

    public init(base: LabelledImages, extra: LabelledImages, share: Double, weight: Float) {
        precondition(extra.count > 0 && (0..<1).contains(share))
        repeats = max(1, Int((share / (1 - share) * Double(base.count) / Double(extra.count)).rounded()))
        baseCount = base.count
        var images = base
        for _ in 0..<repeats { images = images + extra }
        self.images = images
        weights =
            [Float](repeating: 1, count: base.count) + [Float](repeating: weight, count: images.count - base.count)
    }

    public var extraCount: Int { images.count - baseCount }
}
