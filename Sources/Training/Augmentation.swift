import FashionModel
import NeuralNet

/// Label-preserving distortions of 28×28 training images. Which ones help is
/// measured, not assumed (docs/MODEL.md).
public struct Augmentation: Sendable, Equatable {
    /// Largest random shift in pixels, each axis (0 = off); vacated pixels become 0.
    public var shift = 0
    /// Mirror left-right with probability ½ (garments are roughly symmetric).
    public var flip = false
    /// Random erasing (Zhong et al. 2017): with this probability blank a random
    /// rectangle of 2–20% of the image with noise.
    public var erase: Float = 0

    public init(shift: Int = 0, flip: Bool = false, erase: Float = 0) {
        self.shift = shift; self.flip = flip; self.erase = erase
    }

    public static let none = Augmentation()
    public var isNone: Bool { self == .none }

    /// Applies the enabled distortions in place to one image.
    public func apply(_ img: UnsafeMutablePointer<Float>, rng: inout RNG) {
        let s = 28
        if flip && rng.uniform() < 0.5 {
            for y in 0..<s { for x in 0..<s / 2 { img.swapAt(y * s + x, y * s + s - 1 - x) } }
        }
        if shift > 0 {
            let dx = rng.int(2 * shift + 1) - shift, dy = rng.int(2 * shift + 1) - shift
            if dx != 0 || dy != 0 {
                var copy = [Float](repeating: 0, count: s * s)
                for y in 0..<s {
                    let sy = y - dy
                    guard sy >= 0 && sy < s else { continue }
                    for x in 0..<s {
                        let sx = x - dx
                        if sx >= 0 && sx < s { copy[y * s + x] = img[sy * s + sx] }
                    }
                }
                img.update(from: copy, count: s * s)
            }
        }
        if erase > 0 && rng.uniform() < erase {
            let area = Float(s * s) * (0.02 + 0.18 * rng.uniform())
            let aspect = 0.3 + 3 * rng.uniform()
            let h = min(s, max(1, Int((area * aspect).squareRoot()))),
                w = min(s, max(1, Int((area / aspect).squareRoot())))
            let y0 = rng.int(s - h + 1), x0 = rng.int(s - w + 1)
            for y in y0..<y0 + h { for x in x0..<x0 + w { img[y * s + x] = rng.uniform() } }
        }
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) fileprivate func swapAt(_ i: Int, _ j: Int) { let t = self[i]; self[i] = self[j]; self[j] = t }
}
