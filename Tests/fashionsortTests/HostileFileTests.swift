import Foundation
import TestSupport
import Testing

/// Hostile files through the real `fashionsort classify`, run under a 400 MB address-space limit (a normal
/// photo needs under 200 MB): each is decoded at bounded cost or rejected with a reason that says what to do.
@Suite struct HostileFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ImageIntakeTests/Fixtures").path

    /// `classify` of one file under `prlimit --as`; its CSV row.
    func classify(_ path: String) throws -> [String: String] {
        try #require(csvRows(try limited(["classify", path]).stdout).first)
    }

    func limited(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try fashionsort(arguments, under: ["/usr/bin/prlimit", "--as=\(400 << 20)", "--"])
    }

    /// The text bomb's eight zTXt chunks (15 MB each inflated) repeated eight times: 960 MB of text, which
    /// inflated took seconds and was rejected as too costly; skipped, the valid image behind it is classified.
    @Test func textChunkBombsAndInterlacedBombsAreDecodedAtBoundedCost() throws {
        let dir = temporaryDirectory("bombs")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/text-bomb.png")))
        var chunks: [[UInt8]] = [], at = 8
        while at + 12 <= bytes.count {
            let length = bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
            chunks.append(Array(bytes[at..<at + 12 + length]))
            at += 12 + length
        }
        let text = chunks.filter { $0[4..<8].elementsEqual("zTXt".utf8) }
        #expect(text.count == 8)
        let rest = chunks.filter { !$0[4..<8].elementsEqual("zTXt".utf8) }
        write(
            Array(bytes[..<8]) + rest[0] + Array(repeating: text, count: 8).joined().joined() + rest[1...].joined(),
            to: "\(dir)/text-bomb.png")
        for path in ["\(dir)/text-bomb.png", "\(Self.fixtures)/adam7-bomb-8944x8944.png"] {
            let row = try classify(path)
            #expect(row["status"] != "rejected", "\(path): \(row["error"] ?? "")")
        }
    }

    @Test func otherFormatsAndVariantsSayWhatToDo() throws {
        let dir = temporaryDirectory("formats")
        write(Array("\0\0\0\u{18}ftypheic\0\0\0\0mif1heic".utf8), to: "\(dir)/iphone.jpg")
        var deep = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/baseline.jpg")))
        let sof = (0..<deep.count - 4).first { deep[$0] == 0xFF && deep[$0 + 1] == 0xC0 }!
        deep[sof + 4] = 12
        write(deep, to: "\(dir)/deep.jpg")
        let heic = try classify("\(dir)/iphone.jpg"), twelve = try classify("\(dir)/deep.jpg")
        #expect(
            heic["status"] == "rejected" && heic["error"]?.hasPrefix("HEIC, not PNG or JPEG: export it as JPEG") == true
        )
        #expect(twelve["status"] == "rejected" && twelve["error"]?.hasPrefix("unsupported JPEG variant") == true)
    }

    /// EXIF orientation behind an XMP segment, and in a PNG's eXIf among text chunks, is applied: each photo
    /// gives exactly what the same upright image gives.
    @Test func orientationIsFoundWhereverItIs() throws {
        func confidences(_ name: String) throws -> [String?] {
            let row = try classify("\(Self.fixtures)/\(name)")
            return ["class", "confidence", "second_confidence", "none_of_these"].map { row[$0] }
        }
        #expect(try confidences("exif-behind-xmp.jpg") == confidences("exif-orientation-6.jpg"))
        #expect(try confidences("png-exif-text.png") == confidences("gray8.png"))
    }
}
