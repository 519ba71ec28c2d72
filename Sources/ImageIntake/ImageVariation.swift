import Foundation

/// What differs between two shots of one garment: framing, pose, aspect and light.
/// Training draws these at random (FashionModel's PhotoVariety) so that each repetition
/// of a scarce photo reaches the conversion as another shot, not the same 784 values again.
public struct ImageVariation: Sendable, Equatable {
    /// Fractions of the width and height cut off at each side (0 keeps the frame).
    public var left: Float = 0, top: Float = 0, right: Float = 0, bottom: Float = 0
    /// Rotation about the centre, radians; uncovered corners take the nearest edge pixel,
    /// so the conversion still sees the photo's own background there.
    public var angle: Float = 0
    /// Width scale against the height (an aspect change).
    public var stretch: Float = 1
    /// Light: each channel's value v in [0, 1] becomes (gain · v)^gamma, clipped.
    public var gains: [Float] = [1, 1, 1]
    public var gamma: Float = 1

    public init() {}

    public static let none = ImageVariation()

    /// The varied image, sampled bilinearly from `image`.
    public func apply(_ image: Image) -> Image {
        let cropW = Float(image.width) * max(1 - left - right, 0.05)
        let cropH = Float(image.height) * max(1 - top - bottom, 0.05)
        let w = max(1, Int((cropW * stretch).rounded())), h = max(1, Int(cropH.rounded()))
        let centreX = Float(image.width) * left + cropW / 2, centreY = Float(image.height) * top + cropH / 2
        let c = cos(angle), s = sin(angle)
        let light = (0..<3).map { ch in
            (0..<256).map { v in UInt8((pow(min(gains[ch] * Float(v) / 255, 1), gamma) * 255).rounded()) }
        }
        var out = [UInt8](repeating: 0, count: w * h * 3)
        image.rgb.withUnsafeBufferPointer { px in
            func at(_ x: Int, _ y: Int, _ ch: Int) -> Float {
                Float(px[3 * (min(max(y, 0), image.height - 1) * image.width + min(max(x, 0), image.width - 1)) + ch])
            }
            for y in 0..<h {
                for x in 0..<w {
                    // Output pixel centre → source position: undo the stretch, rotate, move to the crop's centre.
                    let u = (Float(x) + 0.5 - Float(w) / 2) / stretch, v = Float(y) + 0.5 - Float(h) / 2
                    let sx = centreX + c * u - s * v - 0.5, sy = centreY + s * u + c * v - 0.5
                    let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                    let fx = sx - Float(x0), fy = sy - Float(y0)
                    for ch in 0..<3 {
                        let top = at(x0, y0, ch) * (1 - fx) + at(x0 + 1, y0, ch) * fx
                        let bottom = at(x0, y0 + 1, ch) * (1 - fx) + at(x0 + 1, y0 + 1, ch) * fx
                        let value = Int((top * (1 - fy) + bottom * fy).rounded())
                        out[3 * (y * w + x) + ch] = light[ch][min(max(value, 0), 255)]
                    }
                }
            }
        }
        return Image(width: w, height: h, rgb: out)
    }
}
