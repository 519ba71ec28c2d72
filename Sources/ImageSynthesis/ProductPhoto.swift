import ImageIntake

/// Renders a 28×28 Fashion-MNIST garment (bright on black, values in [0, 1])
/// as a product photo: the garment tinted and enlarged bilinearly to fill
/// 80% of the short side, on the dataset's #fdfdfd background. The inverse of
/// the conversion, for samples and round-trip tests.
public enum ProductPhoto {
    public static let background: Float = 253

    /// The photo and, per pixel, the garment's coverage as an alpha channel.
    public static func render(
        _ garment: [Float], width: Int, height: Int, tint: [Float]
    ) -> (image: Image, alpha: [UInt8]) {
        precondition(garment.count == 784 && tint.count == 3)
        let side = Float(min(width, height)) * 0.8
        let x0 = (Float(width) - side) / 2, y0 = (Float(height) - side) / 2
        func at(_ i: Int, _ j: Int) -> Float { (i < 0 || j < 0 || i > 27 || j > 27) ? 0 : garment[j * 28 + i] }
        var rgb = [UInt8](repeating: 0, count: width * height * 3), alpha = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            let v = (Float(y) - y0) / side * 28 - 0.5
            for x in 0..<width {
                let u = (Float(x) - x0) / side * 28 - 0.5
                var a: Float = 0
                if u > -1 && v > -1 && u < 28 && v < 28 {
                    let ix = Int(u.rounded(.down)), iy = Int(v.rounded(.down)), fx = u - Float(ix), fy = v - Float(iy)
                    a =
                        (at(ix, iy) * (1 - fx) + at(ix + 1, iy) * fx) * (1 - fy)
                        + (at(ix, iy + 1) * (1 - fx) + at(ix + 1, iy + 1) * fx) * fy
                }
                for c in 0..<3 { rgb[3 * (y * width + x) + c] = UInt8((background * (1 - a) + tint[c] * a).rounded()) }
                alpha[y * width + x] = UInt8((a * 255).rounded())
            }
        }
        return (Image(width: width, height: height, rgb: rgb), alpha)
    }
}
