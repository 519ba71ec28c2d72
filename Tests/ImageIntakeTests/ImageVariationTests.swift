import Testing
@testable import ImageIntake

@Suite struct ImageVariationTests {
    /// A 40×30 image: a dark 10×10 square at x 5..<15, y 10..<20 on light gray, red in the top-left pixel.
    private static let image: Image = {
        var img = Image(width: 40, height: 30, rgb: [UInt8](repeating: 200, count: 40 * 30 * 3))
        for y in 10..<20 { for x in 5..<15 { for c in 0..<3 { img.rgb[3 * (y * 40 + x) + c] = 20 } } }
        img.rgb[0] = 255; img.rgb[1] = 0; img.rgb[2] = 0
        return img
    }()

    @Test func noVariationKeepsTheImage() {
        #expect(ImageVariation.none.apply(Self.image) == Self.image)
    }

    @Test func cropKeepsTheRegionAndStretchWidensIt() {
        var v = ImageVariation()
        v.left = 0.125; v.top = 1.0 / 3  // from x 5, y 10
        v.right = 0.5; v.bottom = 0  // to x 20, y 30
        let out = v.apply(Self.image)
        #expect(out.width == 15 && out.height == 20)
        #expect(out.rgb[0] == 20 && out.rgb[3 * (9 * 15 + 9)] == 20 && out.rgb[3 * (10 * 15 + 10)] == 200)
        v.stretch = 2
        let wide = v.apply(Self.image)
        #expect(wide.width == 30 && wide.height == 20 && wide.rgb[3 * 18] == 20 && wide.rgb[3 * 21] == 200)
    }

    @Test func halfTurnRotatesAboutTheCentre() {
        var v = ImageVariation()
        v.angle = .pi
        let out = v.apply(Self.image)
        #expect(out.width == 40 && out.height == 30)
        // The red corner pixel ends bottom-right; the square moves to x 25..<35, y 10..<20.
        let last = 3 * (30 * 40 - 1)
        #expect(out.rgb[last] == 255 && out.rgb[last + 1] == 0)
        #expect(out.rgb[3 * (15 * 40 + 30)] == 20 && out.rgb[3 * (15 * 40 + 10)] == 200)
    }

    @Test func lightScalesAndBendsTheChannels() {
        var v = ImageVariation()
        v.gains = [0.5, 1, 2]; v.gamma = 2
        let out = v.apply(Self.image)
        // 200 → red (0.5·200/255)² · 255 ≈ 39, green (200/255)² · 255 ≈ 157, blue clipped at 255.
        #expect(out.rgb[3 * 35] == 39 && out.rgb[3 * 35 + 1] == 157 && out.rgb[3 * 35 + 2] == 255)
    }
}
