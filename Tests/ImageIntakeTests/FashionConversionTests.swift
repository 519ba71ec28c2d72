import FashionModel
import Foundation
import Testing
@testable import ImageIntake

@Suite struct FashionConversionTests {
    @Test func fashionMNISTLikeInputPassesThrough() {
        var g = [UInt8](repeating: 0, count: 784)
        for i in 300..<500 { g[i] = 200 }
        let out = FashionConversion.convert(Image(width: 28, height: 28, gray: g))
        #expect(out.count == 784)
        #expect(out[0] == 0 && abs(out[400] - 200 / 255) < 1e-6)
    }

    /// Quickselect picks what a sort would put in the middle, duplicates included.
    @Test func medianIsTheMiddleOfTheSortedValues() {
        var seed: UInt64 = 7
        for n in [1, 2, 3, 10, 101, 400] {
            let v = (0..<n).map { _ in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return Float(seed >> 59)   // 32 distinct values: many ties
            }
            #expect(v.median() == v.sorted()[n / 2])
        }
        #expect([Float]().median() == 0)
    }

    @Test func darkGarmentOnWhiteBecomesBrightOnBlack() {
        var img = Image(width: 200, height: 300, rgb: [UInt8](repeating: 250, count: 200 * 300 * 3))
        for y in 50..<250 { for x in 60..<140 { for c in 0..<3 { img.rgb[3 * (y * 200 + x) + c] = 40 } } }
        let out = FashionConversion.convert(img)
        // Trimmed to the garment and scaled so its long side spans 28 rows.
        #expect(out[0] == 0 && out[783] == 0)
        #expect(abs(out[14 * 28 + 14] - 210.0 / 250) < 0.02)   // (255−40 − (255−250)) / (255 − 5)
        #expect(out[1 * 28 + 14] > 0.5 && out[26 * 28 + 14] > 0.5)
        #expect(out[14 * 28 + 2] == 0)
    }
}

@Suite(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/t10k-images-idx3-ubyte.gz"),
                "needs Debian's dataset-fashion-mnist"))
struct RoundTripTests {
    /// 1,000 test images rendered as product photos, saved as PNG and JPEG,
    /// decoded and converted back: close to the original and, for the shipped
    /// model, the same class at least 95% of the time.
    @Test func productPhotosConvertBackToTheDataset() throws {
        let test = try FashionMNIST.load(.test)
        let model = try Model(contentsOf: Model.defaultPath)
        let n = 1000
        var originals: [Float] = [], png: [Float] = [], jpeg: [Float] = []
        for i in 0..<n {
            let g = Array(test.pixels[i * 784 ..< (i + 1) * 784])
            let tint: [Float] = [0, 0, 0]   // black ink: the rendering is then the exact inverse of negation
            let photo = ProductPhoto.render(g, width: 150 + i % 50, height: 195 + i % 30, tint: tint).image
            let p = try ImageDecoder.decode(try ImageEncoder.png(photo.rgb, width: photo.width, height: photo.height, channels: 3), file: "\(i).png")
            let j = try ImageDecoder.decode(try ImageEncoder.jpeg(photo), file: "\(i).jpg")
            originals += g
            png += FashionConversion.convert(p)
            jpeg += FashionConversion.convert(j)
        }
        let maePNG = zip(originals, png).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(originals.count)
        let maeJPEG = zip(originals, jpeg).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(originals.count)
        print("round trip: mean absolute pixel difference PNG \(maePNG * 255)/255, JPEG \(maeJPEG * 255)/255")
        #expect(maePNG < 0.08 && maeJPEG < 0.08)
        let reference = model.predict(originals).map(\.best.label)
        for (name, converted) in [("PNG", png), ("JPEG", jpeg)] {
            let same = zip(reference, model.predict(converted).map(\.best.label)).filter { $0 == $1 }.count
            print("round trip \(name): \(same) of \(n) keep their class")
            #expect(same >= 950, "\(name): only \(same) of \(n) keep their class")
        }
    }
}
