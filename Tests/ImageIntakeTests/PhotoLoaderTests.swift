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
