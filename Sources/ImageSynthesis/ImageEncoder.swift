import CImageCodecs
import ImageIntake

/// PNG and JPEG encoding through libpng and libjpeg, for samples and reports.
public enum ImageEncoder {
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    /// `channels`: 1 gray, 3 RGB, 4 RGBA.
    public static func png(
        _ pixels: [UInt8], width: Int, height: Int, channels: Int,
        interlaced: Bool = false
    ) throws(Failure) -> [UInt8] {
        guard pixels.count == width * height * channels else {
            throw Failure(description: "pixel count does not match \(width)×\(height)×\(channels)")
        }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: Int(FSC_MESSAGE_SIZE))
        let status = pixels.withUnsafeBufferPointer { p in
            message.withUnsafeMutableBufferPointer { m in
                fsc_encode_png(
                    p.baseAddress, UInt32(width), UInt32(height), Int32(channels), interlaced ? 1 : 0, &out, &size,
                    m.baseAddress)
            }
        }
        defer { fsc_free(out) }
        guard status == 0, let out else {
            throw Failure(description: message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return [UInt8](UnsafeBufferPointer(start: out, count: size))
    }
}

extension ImageEncoder {
    public struct JPEGOptions: Sendable {
        public var quality = 90, gray = false, progressive = false, arithmetic = false
        public init(quality: Int = 90, gray: Bool = false, progressive: Bool = false, arithmetic: Bool = false) {
            self.quality = quality; self.gray = gray; self.progressive = progressive; self.arithmetic = arithmetic
        }
    }

    public static func jpeg(_ image: Image, _ o: JPEGOptions = .init()) throws(Failure) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: Int(FSC_MESSAGE_SIZE))
        let status = image.rgb.withUnsafeBufferPointer { p in
            message.withUnsafeMutableBufferPointer { m in
                fsc_encode_jpeg(
                    p.baseAddress, UInt32(image.width), UInt32(image.height), o.gray ? 1 : 0, Int32(o.quality),
                    o.progressive ? 1 : 0, o.arithmetic ? 1 : 0, &out, &size, m.baseAddress)
            }
        }
        defer { fsc_free(out) }
        guard status == 0, let out else {
            throw Failure(description: message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return [UInt8](UnsafeBufferPointer(start: out, count: size))
    }
}
