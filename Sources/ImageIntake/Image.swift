/// An 8-bit RGB image, row-major, 3 bytes per pixel.
public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) {
        precondition(rgb.count == width * height * 3)
        self.width = width
        self.height = height
        self.rgb = rgb
    }

    /// A gray image replicated into RGB.
    public init(width: Int, height: Int, gray: [UInt8]) {
        self.init(width: width, height: height, rgb: gray.flatMap { [$0, $0, $0] })
    }

    /// ITU-R 601 luma, as ImageMagick's and Pillow's grayscale conversion.
    public var gray: [Float] {
        (0..<width * height).map { i in
            0.299 * Float(rgb[3 * i]) + 0.587 * Float(rgb[3 * i + 1]) + 0.114 * Float(rgb[3 * i + 2])
        }
    }

    /// Applies an EXIF orientation (1…8) so the image is upright.
    public func oriented(_ orientation: Int) -> Image {
        guard (2...8).contains(orientation) else { return self }
        let transposed = orientation >= 5
        let w = transposed ? height : width, h = transposed ? width : height
        var out = [UInt8](repeating: 0, count: rgb.count)
        for y in 0..<h {
            for x in 0..<w {
                // Source pixel for destination (x, y), per the EXIF definitions.
                let (sx, sy): (Int, Int) =
                    switch orientation {
                    case 2: (width - 1 - x, y)
                    case 3: (width - 1 - x, height - 1 - y)
                    case 4: (x, height - 1 - y)
                    case 5: (y, x)
                    case 6: (y, height - 1 - x)
                    case 7: (width - 1 - y, height - 1 - x)
                    default: (width - 1 - y, x)  // 8
                    }
                let d = 3 * (y * w + x), s = 3 * (sy * width + sx)
                out[d] = rgb[s]; out[d + 1] = rgb[s + 1]; out[d + 2] = rgb[s + 2]
            }
        }
        return Image(width: w, height: h, rgb: out)
    }
}
