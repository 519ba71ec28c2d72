import CZlib
import Foundation
import Testing
import ImageSynthesis
@testable import ImageIntake

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

func fixture(_ name: String) -> [UInt8] {
    [UInt8](FileManager.default.contents(atPath: "\(fixtures)/\(name)")!)
}

/// The fixture pattern (make_fixtures.py): 24×32 white, a black 4×4 marker
/// top-left, a dark rectangle at x 6..17, y 8..23.
func checkPattern(_ img: Image, tolerance: Int = 40, file: String) {
    #expect(img.width == 24 && img.height == 32, "\(file): \(img.width)×\(img.height)")
    guard img.width == 24 && img.height == 32 else { return }
    func px(_ x: Int, _ y: Int) -> Int { Int(img.rgb[3 * (y * 24 + x)]) }
    #expect(px(1, 1) < tolerance, "\(file): marker \(px(1, 1))")
    #expect(px(22, 2) > 255 - tolerance, "\(file): background \(px(22, 2))")
    #expect(px(12, 15) < 128, "\(file): rectangle \(px(12, 15))")
}

@Suite struct ImageDecoderTests {
    @Test(arguments: [
        "gray1.png", "gray2.png", "gray4.png", "gray8.png", "gray16.png", "gray-alpha.png",
        "rgb8.png", "rgb16.png", "rgba8.png", "rgba16.png", "rgba-transparent.png",
        "baseline.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg", "exif-orientation-6.jpg",
        // Orientation behind an XMP APP1; a PNG's eXIf among text chunks that are skipped.
        "exif-behind-xmp.jpg", "png-exif-text.png",
    ])
    func decodesVariant(_ name: String) throws {
        checkPattern(try ImageDecoder.decode(fixture(name), file: name), file: name)
    }

    @Test func paletteWithTransparencyCompositesOverWhite() throws {
        let img = try ImageDecoder.decode(fixture("palette-trns.png"), file: "palette-trns.png")
        #expect(img.width == 24 && img.height == 32)
        #expect(img.rgb[0] == 0)  // marker from the palette
        #expect(img.rgb[3 * (31 * 24)] == 255)  // transparent last row → white
        #expect(img.rgb[3 * (15 * 24 + 12)] == 64)  // dark rectangle
    }

    @Test func interlacedAndArithmeticRoundTrip() throws {
        let base = try ImageDecoder.decode(fixture("rgb8.png"), file: "rgb8.png")
        let interlaced = try ImageEncoder.png(base.rgb, width: 24, height: 32, channels: 3, interlaced: true)
        #expect(interlaced[28] == 1, "IHDR interlace method byte")
        #expect(try ImageDecoder.decode(interlaced, file: "adam7.png") == base)
        let arithmetic = try ImageEncoder.jpeg(base, .init(quality: 95, arithmetic: true))
        checkPattern(try ImageDecoder.decode(arithmetic, file: "arith.jpg"), file: "arith.jpg")
    }

    @Test func formatComesFromMagicBytesNotTheName() throws {
        // A JPEG named .png decodes as the JPEG it is.
        checkPattern(try ImageDecoder.decode(fixture("baseline.jpg"), file: "photo.png"), file: "photo.png")
    }

    @Test func jpegIsDCTScaledToTheRequestedSize() throws {
        let big = Image(width: 1600, height: 1200, rgb: [UInt8](repeating: 200, count: 1600 * 1200 * 3))
        let bytes = try ImageEncoder.jpeg(big)
        let img = try ImageDecoder.decode(bytes, file: "big.jpg", limits: DecodeLimits(minLongSide: 146))
        #expect(img.width == 200 && img.height == 150)  // 1/8 is enough: 200 ≥ 146
        let half = try ImageDecoder.decode(bytes, file: "big.jpg", limits: DecodeLimits(minLongSide: 700))
        #expect(half.width == 800)  // 4/8
    }

    @Test func exifOrientationsAreApplied() {
        // A 2×1 image [A B]: orientation 6 shows it rotated 90° clockwise as a 1×2 column A over B.
        let img = Image(width: 2, height: 1, rgb: [1, 1, 1, 2, 2, 2])
        #expect(img.oriented(6) == Image(width: 1, height: 2, rgb: [1, 1, 1, 2, 2, 2]))
        #expect(img.oriented(8) == Image(width: 1, height: 2, rgb: [2, 2, 2, 1, 1, 1]))
        #expect(img.oriented(3) == Image(width: 2, height: 1, rgb: [2, 2, 2, 1, 1, 1]))
        #expect(img.oriented(1) == img)
    }
}

@Suite struct BadFileTests {
    func expectError(
        _ bytes: [UInt8], name: String, limits: DecodeLimits = .init(), _ check: (IntakeError) -> Bool
    ) {
        #expect {
            _ = try ImageDecoder.decode(bytes, file: name, limits: limits)
        } throws: { error in
            guard let e = error as? IntakeError else { return false }
            return e.file == name && e.description.hasPrefix(name + ": ") && check(e)
        }
    }

    @Test func zeroBytes() {
        expectError([], name: "empty.png") { $0 == .empty(file: "empty.png") }
    }

    @Test func truncatedPNG() {
        let good = fixture("rgb16.png")
        expectError(Array(good.prefix(good.count - 30)), name: "cut.png") {
            $0.kind == "truncated" || $0.kind == "corrupt"
        }
        expectError(Array(good.prefix(20)), name: "cut2.png") { $0.kind == "truncated" || $0.kind == "corrupt" }
    }

    @Test func truncatedJPEGIsAnErrorNotHalfGray() throws {
        let photo = Image(width: 64, height: 64, rgb: (0..<64 * 64 * 3).map { UInt8($0 % 251) })
        let good = try ImageEncoder.jpeg(photo)
        expectError(Array(good.prefix(good.count / 2)), name: "cut.jpg") {
            $0.kind == "truncated" && $0.reason.contains("JPEG")
        }
    }

    @Test func badCRC() {
        var bytes = fixture("rgb8.png")
        // The IDAT chunk's CRC sits just before the 12-byte IEND chunk.
        bytes[bytes.count - 13] ^= 0xFF
        expectError(bytes, name: "crc.png") { $0.kind == "corrupt" && $0.reason.contains("CRC") }
    }

    func be32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }

    func chunk(_ kind: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(kind.utf8) + data
        let crc = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        return be32(UInt32(data.count)) + body + be32(crc)
    }

    @Test func hugeDeclaredDimensionsAreRefusedBeforeAllocating() {
        let ihdr = be32(100_000) + be32(100_000) + [8, 2, 0, 0, 0]
        let bytes: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr)
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00]) + chunk("IEND", [])
        expectError(bytes, name: "huge.png") { $0.kind == "too-large" && $0.reason.contains("100000x100000") }
    }

    /// Each progressive scan is a pass over the image: a file of hundreds is refused, not decoded for seconds.
    @Test func aJPEGWithMoreScansThanTheLimitIsRefused() throws {
        expectError(fixture("316-scans.jpg"), name: "scans.jpg") {
            $0.kind == "too-costly" && $0.reason.contains("more than 100 progressive scans")
        }
        let fine = try ImageDecoder.decode(fixture("64-scans.jpg"), file: "64.jpg")
        #expect(fine.width == 64 && fine.height == 64)
        var strict = DecodeLimits()
        strict.maxScans = 10
        #expect(throws: IntakeError.self) {
            try ImageDecoder.decode(fixture("64-scans.jpg"), file: "64.jpg", limits: strict)
        }
    }

    /// A decompression bomb (78 KB, 8944² pixels) is area-averaged as its rows are read: the image that comes
    /// out is small, and its pixels are the bomb's (all black).
    @Test func aPNGBombIsDecodedSmallRowByRow() throws {
        var limits = DecodeLimits()
        limits.minLongSide = 73
        limits.maxMilliseconds = 0  // debug builds and loaded test machines are slow; the time limit has its own test
        let image = try ImageDecoder.decode(fixture("bomb-8944x8944.png"), file: "bomb.png", limits: limits)
        #expect(image.width == 8944 / (8944 / 73) && image.width == image.height)
        #expect(image.rgb.allSatisfy { $0 == 0 })
        // Without a size to reach it is decoded whole, as before.
        let small = try ImageDecoder.decode(fixture("gray8.png"), file: "gray8.png", limits: limits)
        let whole = try ImageDecoder.decode(fixture("gray8.png"), file: "gray8.png")
        #expect(small == whole)
    }

    @Test func aDecodeOverItsTimeLimitIsRefused() throws {
        var limits = DecodeLimits()
        limits.minLongSide = 73
        limits.maxMilliseconds = 1
        expectError(fixture("bomb-8944x8944.png"), name: "slow.png", limits: limits) {
            $0.kind == "too-costly" && $0.reason.contains("time limit")
        }
    }

    /// Eight zTXt chunks inflating to 15 MB each are skipped unread: the small image behind them decodes, well
    /// within the time limit that now covers every byte read, not only the image rows.
    @Test func textChunksAreSkippedNotInflated() throws {
        let image = try ImageDecoder.decode(fixture("text-bomb.png"), file: "text-bomb.png")
        checkPattern(image, file: "text-bomb.png")
    }

    /// An Adam7 bomb (110 KB, 8944² pixels) is read from its first pass only, row by row: small and bounded.
    @Test func anInterlacedBombIsDecodedFromItsFirstPass() throws {
        var limits = DecodeLimits()
        limits.minLongSide = 73
        limits.maxMilliseconds = 0
        let image = try ImageDecoder.decode(fixture("adam7-bomb-8944x8944.png"), file: "adam7.png", limits: limits)
        #expect(image.width == 1118 / (1118 / 73) && image.width == image.height)
        #expect(image.rgb.allSatisfy { $0 == 0 })
        // A small interlaced image is still read whole, all seven passes.
        let base = try ImageDecoder.decode(fixture("rgb8.png"), file: "rgb8.png", limits: limits)
        let interlaced = try ImageEncoder.png(base.rgb, width: 24, height: 32, channels: 3, interlaced: true)
        #expect(try ImageDecoder.decode(interlaced, file: "adam7.png", limits: limits) == base)
    }

    /// HEIC (iPhones), WebP (shop systems) and other image formats named .jpg are named, with what to do.
    static let otherHeads: [(head: [UInt8], name: String)] = [
        (Array("\0\0\0\u{18}ftypheic\0\0\0\0".utf8), "HEIC"),
        (Array("\0\0\0\u{1C}ftypavif\0\0\0\0".utf8), "AVIF"),
        (Array("RIFF\0\u{1}\0\0WEBPVP8 ".utf8), "WebP"),
        (Array("GIF89a\u{1}\0\u{1}\0\0\0\0".utf8), "GIF"),
        (Array("II*\0\u{8}\0\0\0".utf8), "TIFF"),
        (Array("BM".utf8) + [UInt8](repeating: 0, count: 40), "BMP"),
    ]

    @Test func otherImageFormatsAreNamed() {
        for (head, name) in Self.otherHeads {
            expectError(head, name: "photo.jpg") {
                $0.kind == "other-format" && $0.reason.hasPrefix("\(name), not PNG or JPEG: ")
            }
        }
    }

    /// A valid JPEG of 12-bit samples is an unsupported variant, not a corrupt file.
    @Test func aTwelveBitJPEGIsAnUnsupportedVariant() {
        var bytes = fixture("baseline.jpg")
        let sof = (0..<bytes.count - 4).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 }!
        bytes[sof + 4] = 12  // the frame's sample precision
        expectError(bytes, name: "deep.jpg") {
            $0.kind == "unsupported-variant" && $0.reason.hasPrefix("unsupported JPEG variant")
        }
    }

    @Test func textNamedJPEG() {
        expectError(Array("just some text\n".utf8), name: "notes.jpg") { $0.kind == "unknown-format" }
    }

    @Test func randomBytes() {
        var state: UInt64 = 99
        let bytes = (0..<4096).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1; return UInt8(state >> 56)
        }
        expectError(bytes, name: "noise.jpg") { $0.kind == "unknown-format" }
        // Random data behind a valid JPEG or PNG signature is caught by the libraries.
        expectError([0xFF, 0xD8, 0xFF] + bytes, name: "noise2.jpg") { $0.kind == "corrupt" || $0.kind == "truncated" }
        expectError([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + bytes, name: "noise.png") {
            $0.kind == "corrupt" || $0.kind == "truncated"
        }
    }
}
