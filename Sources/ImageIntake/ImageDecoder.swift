import CImageCodecs
import Foundation

public enum ImageFormat: String, Sendable, Equatable {
    case png = "PNG"
    case jpeg = "JPEG"

    /// By magic bytes, never by file name.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }

    /// Whether a file with these first and last bytes ends where its format
    /// ends: PNG with its IEND chunk, JPEG with the end-of-image marker. A file
    /// too short to tell is unfinished; one of no known format is not ours to judge.
    public static func looksComplete(head: [UInt8], tail: [UInt8]) -> Bool {
        guard head.count >= 8 else { return false }
        switch sniff(head) {
        case .png: return tail.suffix(12).elementsEqual([0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        case .jpeg: return tail.suffix(2).elementsEqual([0xFF, 0xD9])
        case nil: return true
        }
    }
}

/// Image formats people upload that we do not decode, told by their magic bytes so the error can say what to do.
public enum OtherImageFormat: Sendable, Equatable {
    case heic, avif, webp, gif, tiff, bmp

    /// How people write the format's name.
    public var name: String { self == .webp ? "WebP" : "\(self)".uppercased() }

    public static func sniff(_ b: [UInt8]) -> OtherImageFormat? {
        func ascii(_ range: Range<Int>) -> String? {
            b.count >= range.upperBound ? String(decoding: b[range], as: UTF8.self) : nil
        }
        if ascii(4..<8) == "ftyp", let brand = ascii(8..<12) {
            if ["avif", "avis"].contains(brand) { return .avif }
            if ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].contains(brand) { return .heic }
        }
        if ascii(0..<4) == "RIFF" && ascii(8..<12) == "WEBP" { return .webp }
        if ascii(0..<6) == "GIF87a" || ascii(0..<6) == "GIF89a" { return .gif }
        if b.starts(with: [0x49, 0x49, 0x2A, 0x00]) || b.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if ascii(0..<2) == "BM" && b.count >= 26 { return .bmp }
        return nil
    }

    /// What the person who dropped it can do.
    public var advice: String {
        switch self {
        case .heic:
            "export it as JPEG (iPhone: Settings > Camera > Formats > Most Compatible shoots JPEG)"
        case .avif, .webp, .gif, .tiff, .bmp:
            "convert it to JPEG or PNG (e.g. convert photo.\(self) photo.jpg)"
        }
    }
}

/// Size limits checked from the header, before any pixel buffer exists.
public struct DecodeLimits: Sendable {
    public var maxSide: Int = 20_000
    public var maxPixels: Int = 80_000_000
    /// JPEGs are DCT-scaled down to the smallest size whose long side reaches
    /// this (0 = full size): the conversion's 73-pixel thumbnail never needs more.
    /// PNGs above 4 Mpx are area-averaged down towards it as their rows are read.
    public var minLongSide: Int = 0
    /// Progressive JPEG scans at most: each is a pass over the whole image (libjpeg-turbo's tools allow 500).
    public var maxScans: Int = 100
    /// Milliseconds one decode may take (0 = no limit), so one file never holds up the rest for long.
    public var maxMilliseconds: Int = 1000
    /// Larger files are refused before they are read.
    public var maxFileBytes: Int = 64 << 20

    public init(maxSide: Int = 20_000, maxPixels: Int = 80_000_000, minLongSide: Int = 0, maxFileBytes: Int = 64 << 20)
    {
        self.maxSide = maxSide; self.maxPixels = maxPixels; self.minLongSide = minLongSide
        self.maxFileBytes = maxFileBytes
    }
}

/// Decodes PNG and JPEG bytes to an upright RGB image through CImageCodecs.
public enum ImageDecoder {
    public static func decode(
        _ bytes: [UInt8], file: String, limits: DecodeLimits = .init()
    ) throws(IntakeError) -> Image {
        guard !bytes.isEmpty else { throw .empty(file: file) }
        guard let format = ImageFormat.sniff(bytes) else {
            if let other = OtherImageFormat.sniff(bytes) { throw .otherFormat(file: file, format: other) }
            let head = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw .unknownFormat(file: file, firstBytes: head)
        }
        var lim = fsc_limits(
            max_width: UInt32(clamping: limits.maxSide), max_height: UInt32(clamping: limits.maxSide),
            max_pixels: UInt64(limits.maxPixels), min_long_side: UInt32(clamping: limits.minLongSide),
            max_scans: UInt32(clamping: limits.maxScans), max_milliseconds: UInt32(clamping: limits.maxMilliseconds))
        var img = fsc_image()
        var message = [CChar](repeating: 0, count: Int(FSC_MESSAGE_SIZE))
        let status = bytes.withUnsafeBufferPointer { b in
            message.withUnsafeMutableBufferPointer { m in
                switch format {
                case .png: fsc_decode_png(b.baseAddress, b.count, &lim, &img, m.baseAddress)
                case .jpeg: fsc_decode_jpeg(b.baseAddress, b.count, &lim, &img, m.baseAddress)
                }
            }
        }
        defer { fsc_image_free(&img) }
        let detail = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        switch Int32(status) {
        case Int32(FSC_OK.rawValue): break
        case Int32(FSC_TRUNCATED.rawValue): throw .truncated(file: file, format: format, detail: detail)
        case Int32(FSC_TOO_LARGE.rawValue): throw .tooLarge(file: file, detail: detail)
        case Int32(FSC_NO_MEMORY.rawValue): throw .outOfMemory(file: file)
        case Int32(FSC_TOO_COSTLY.rawValue): throw .tooCostly(file: file, detail: detail)
        case Int32(FSC_UNSUPPORTED.rawValue): throw .unsupportedVariant(file: file, format: format, detail: detail)
        default: throw .corrupt(file: file, format: format, detail: detail.isEmpty ? "undecodable" : detail)
        }
        let w = Int(img.width), h = Int(img.height)
        let rgb = [UInt8](UnsafeBufferPointer(start: img.rgb, count: w * h * 3))
        return Image(width: w, height: h, rgb: rgb).oriented(Int(img.orientation))
    }
}
