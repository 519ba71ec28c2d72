import Foundation
import ImageIntake
import TestSupport
import Testing
@testable import FashionModel
@testable import Training

@Suite struct TrainingPhotosTests {
    /// Four coats and one sneaker under `root`, and a file that is no image.
    private func photos(_ name: String) -> (files: [String], labels: [Int]) {
        let root = temporaryDirectory(name)
        var files: [String] = [], labels: [Int] = []
        for i in 0..<5 {
            files.append("\(root)/\(i).png"); labels.append(i < 4 ? 4 : 7)
            write(samplePNG(i), to: files.last!)
        }
        files.append("\(root)/broken.png"); labels.append(4)
        write(Array("oops".utf8), to: files.last!)
        return (files, labels)
    }

    private func copies(_ set: LabelledImages, label: Int) -> [[Float]] {
        set.labels.indices.filter { set.labels[$0] == label }.map {
            Array(set.pixels[$0 * LabelledImages.size..<($0 + 1) * LabelledImages.size])
        }
    }

    @Test func copiesEvenOutTheClassesAndReachTheShare() {
        let (files, labels) = photos("training-photos")
        // Listed: 5 coats, 1 sneaker → sneaker ×5; 10 copies a round, 2 rounds make up half of 20 + 20.
        let set = TrainingPhotos(
            files: files, labels: labels, balance: 1, share: 0.5, baseCount: 20, variety: nil, seed: 1)
        #expect(set.perClass.map(\.repeats) == [1, 5] && set.rounds == 2)
        #expect(set.skipped.map(\.kind) == ["unknown-format"] && set.photosPerClass == [4: 4, 7: 1])
        let sneakers = copies(set.images, label: 7)
        #expect(sneakers.count == 10 && Set(sneakers).count == 1)
        #expect(copies(set.images, label: 4).count == 8)
    }

    @Test func withVarietyEveryCopyAfterTheFirstIsAnotherShot() {
        let (files, labels) = photos("training-photos-variety")
        let varied = TrainingPhotos(
            files: files, labels: labels, balance: 1, share: 0.5, baseCount: 20, variety: PhotoVariety(), seed: 1)
        let plain = TrainingPhotos(
            files: files, labels: labels, balance: 1, share: 0.5, baseCount: 20, variety: nil, seed: 1)
        let sneakers = copies(varied.images, label: 7)
        #expect(sneakers.count == 10 && Set(sneakers).count == 10)
        #expect(sneakers[0] == copies(plain.images, label: 7)[0])
        // The same seed draws the same variations.
        let again = TrainingPhotos(
            files: files, labels: labels, balance: 1, share: 0.5, baseCount: 20, variety: PhotoVariety(), seed: 1)
        #expect(again.images.pixels == varied.images.pixels)
    }

    /// What `train --outlier-variations` draws: the image itself first, then variations fixed by seed and index.
    @Test func copiesOfOneImageStartWithItAndDependOnSeedAndIndex() throws {
        let image = try ImageDecoder.decode(samplePNG(3), file: "3.png")
        let variety = PhotoVariety()
        let four = variety.copies(of: image, index: 2, count: 4, seed: 7)
        let rows = (0..<4).map { Array(four[$0 * LabelledImages.size..<($0 + 1) * LabelledImages.size]) }
        #expect(rows.count == 4 && Set(rows).count == 4)
        #expect(rows[0] == FashionConversion.convert(image))
        #expect(variety.copies(of: image, index: 2, count: 4, seed: 7) == four)
        #expect(variety.copies(of: image, index: 3, count: 4, seed: 7) != four)
        #expect(variety.copies(of: image, index: 2, count: 1, seed: 7) == rows[0])
    }

    /// `train --outliers` with a folder listed twice: the second listing adds new variations, not the same again.
    @Test func anOutlierFolderAddedTwiceAddsOtherVariations() {
        let (files, _) = photos("outlier-pool")
        var pool = OutlierPool(variations: 2, seed: 5)
        let first = pool.add(files)
        #expect(first.added == 5 && first.skipped.map(\.kind) == ["unknown-format"])
        #expect(pool.add(files).added == 5)
        let size = LabelledImages.size, rows = pool.pixels.count / size
        #expect(rows == 2 * 5 * 3)
        let row = { (r: Int) in Array(pool.pixels[r * size..<(r + 1) * size]) }
        // Image 0 of each listing: itself, then two variations.
        #expect(row(0) == row(15))
        #expect(row(1) != row(16) && row(2) != row(17))
        var plain = OutlierPool(variations: 0, seed: 5)
        #expect(plain.add(files).added == 5 && plain.pixels.count == 5 * size)
        #expect(Array(plain.pixels[0..<size]) == row(0))
    }
}

@Suite struct HoldOutTests {
    /// From each class the same share, at least one of a class with two or more, none of a class of one;
    /// the two sides are disjoint and cover everything.
    @Test func theSplitIsStratifiedAndDisjoint() {
        let labels = [Int](repeating: 0, count: 20) + [Int](repeating: 1, count: 5) + [2, 3, 3]
        let (kept, held) = HoldOut.split(labels: labels, share: 0.2, seed: 7)
        #expect(Set(kept).isDisjoint(with: held) && Set(kept + held) == Set(labels.indices))
        func count(_ side: [Int], _ label: Int) -> Int { side.filter { labels[$0] == label }.count }
        #expect(count(held, 0) == 4 && count(held, 1) == 1 && count(held, 2) == 0 && count(held, 3) == 1)
        #expect(HoldOut.split(labels: labels, share: 0.2, seed: 7) == (kept, held))
    }
}

extension HoldOutTests {
    @Test func aShareOfZeroHoldsNothingOut() {
        #expect(HoldOut.split(labels: [0, 0, 1, 1, 1], share: 0, seed: 1).held.isEmpty)
    }
}

@Suite struct ReplaySetTests {
    /// Written at 8 bits a pixel and read back: the same labels, pixels within half a step of 1/255.
    @Test func aReplaySetRoundTrips() throws {
        let pixels = (0..<(2 * LabelledImages.size)).map { Float($0 % 256) / 255 }
        let set = ReplaySet(
            images: LabelledImages(pixels: pixels, labels: [3, 9]), outliers: Array(pixels[..<LabelledImages.size]))
        let path = temporaryDirectory("replay") + "/replay.safetensors"
        try set.write(to: path)
        let back = try ReplaySet(contentsOf: path)
        #expect(back.images.labels == [3, 9] && back.outliers.count == LabelledImages.size)
        #expect(zip(back.images.pixels, pixels).allSatisfy { abs($0 - $1) <= 0.5 / 255 })
        #expect(throws: CheckpointError.self) { try ReplaySet(contentsOf: temporaryDirectory("none") + "/x") }
    }

    /// `default` is the shipped model's replay set, found in a clone too.
    @Test func theShippedReplaySetLoads() throws {
        let set = try ReplaySet(contentsOf: ReplaySet.path(named: "default"))
        #expect(set.images.count > 3000 && set.outliers.count > 0)
    }
}
