import Foundation
import Testing
import ImageSynthesis
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
                return Float(seed >> 59)  // 32 distinct values: many ties
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
        #expect(abs(out[14 * 28 + 14] - 210.0 / 250) < 0.02)  // (255−40 − (255−250)) / (255 − 5)
        #expect(out[1 * 28 + 14] > 0.5 && out[26 * 28 + 14] > 0.5)
        #expect(out[14 * 28 + 2] == 0)
    }
}
