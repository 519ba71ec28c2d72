import Foundation
import TestSupport
import Testing
@testable import ImageIntake

@Suite struct PhotoLoaderTests {
    @Test func hexMatchesPrintf() {
        let bytes: [UInt8] = [0, 1, 15, 16, 127, 128, 254, 255]
        #expect(PhotoLoader.hex(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(PhotoLoader.hex([]) == "")
    }

    /// FIPS 180-2's test vectors.
    @Test func sha256MatchesTheStandard() {
        #expect(
            PhotoLoader.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(PhotoLoader.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func preparesInOrderAndNamesEachFailure() {
        let dir = temporaryDirectory("loader")
        write(samplePNG(1), to: "\(dir)/a.png")
        write(Array("nope".utf8), to: "\(dir)/b.jpg")
        let photos = PhotoLoader.prepare(["\(dir)/a.png", "\(dir)/b.jpg", "\(dir)/missing.png"])
        #expect(photos.map(\.file) == ["\(dir)/a.png", "\(dir)/b.jpg", "\(dir)/missing.png"])
        #expect((try? photos[0].pixels.get())?.count == 784 && photos[0].sha256.count == 64)
        #expect(photos[1].pixels.failureKind == "unknown-format" && photos[2].pixels.failureKind == "unreadable")
    }
}

extension Result where Failure == IntakeError {
    var failureKind: String? { if case .failure(let e) = self { e.kind } else { nil } }
}
