import NeuralNet
import Testing
@testable import FashionModel
@testable import Training

@Suite struct AugmentationTests {
    @Test func flipTwiceIsIdentityAndShiftMovesPixels() {
        var img = (0..<784).map { Float($0) }
        var rng = RNG(seed: 1)
        let shift = Augmentation(shift: 3)
        var changed = false
        for _ in 0..<5 {
            var copy = img
            copy.withUnsafeMutableBufferPointer { shift.apply($0.baseAddress!, rng: &rng) }
            changed = changed || copy != img
        }
        #expect(changed)
        img.withUnsafeMutableBufferPointer { p in
            var r = RNG(seed: 9)
            let flip = Augmentation(flip: true)
            var flips = 0
            let original = Array(p)
            for _ in 0..<20 {
                let before = Array(p)
                flip.apply(p.baseAddress!, rng: &r)
                if Array(p) != before { flips += 1; #expect(p[0] == before[27]) }
            }
            #expect(flips > 3 && flips < 17)
            _ = original
        }
    }
}
