import CZlib
import Foundation
import TestSupport
import Testing
@testable import FashionModel
@testable import Training

@Suite struct IDXDatasetTests {
    func gzip(_ bytes: [UInt8], to path: String) {
        let f = gzopen(path, "wb")!
        _ = bytes.withUnsafeBytes { gzwrite(f, $0.baseAddress, UInt32($0.count)) }
        gzclose(f)
    }

    func header(_ magic: UInt32, _ dims: [UInt32]) -> [UInt8] {
        ([magic] + dims).flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }

    /// Writes a tiny valid pair (3 images), then lets `corrupt` break one file.
    func dataset(_ corrupt: (_ dir: String) -> Void = { _ in }) -> String {
        let dir = temporaryDirectory()
        gzip(
            header(0x803, [3, 28, 28]) + [UInt8](repeating: 255, count: 3 * 784), to: "\(dir)/t10k-images-idx3-ubyte.gz"
        )
        gzip(header(0x801, [3]) + [0, 5, 9], to: "\(dir)/t10k-labels-idx1-ubyte.gz")
        corrupt(dir)
        return dir
    }

    @Test func readsValidFiles() throws {
        let d = try FashionMNIST.load(.test, directory: dataset())
        #expect(d.labels == [0, 5, 9])
        #expect(d.pixels.count == 3 * 784 && d.pixels.allSatisfy { $0 == 1 })
    }

    @Test func balancingRepeatsRareClasses() {
        // 8 images of class 0, 2 of class 5.
        let labels = [0, 0, 5, 0, 0, 0, 5, 0, 0, 0]
        #expect(LabelledImages.classRepeats(labels, power: 1).map(\.repeats) == [1, 4])
        #expect(LabelledImages.classRepeats(labels, power: 1).map(\.count) == [8, 2])
        #expect(LabelledImages.classRepeats(labels, power: 0.5).map(\.repeats) == [1, 2])
        #expect(LabelledImages.classRepeats(labels, power: 0).map(\.repeats) == [1, 1])
    }

    @Test func missingDatasetNamesThePackage() {
        #expect { try FashionMNIST.load(.test, directory: "/nonexistent") } throws: {
            "\($0)".contains("apt-get install dataset-fashion-mnist") && "\($0)".contains("/nonexistent")
        }
    }

    @Test func wrongMagicIsRefused() {
        let dir = dataset { gzip(self.header(0x801, [3]) + [0, 5, 9], to: "\($0)/t10k-images-idx3-ubyte.gz") }
        #expect { try FashionMNIST.load(.test, directory: dir) } throws: { "\($0)".contains("magic number 0x801") }
    }

    @Test func shortPayloadIsRefused() {
        let dir = dataset {
            gzip(
                self.header(0x803, [3, 28, 28]) + [UInt8](repeating: 0, count: 100),
                to: "\($0)/t10k-images-idx3-ubyte.gz")
        }
        #expect { try FashionMNIST.load(.test, directory: dir) } throws: { "\($0)".contains("promises 2352 bytes") }
    }

    @Test func countMismatchIsRefused() {
        let dir = dataset { gzip(self.header(0x801, [2]) + [0, 5], to: "\($0)/t10k-labels-idx1-ubyte.gz") }
        #expect { try FashionMNIST.load(.test, directory: dir) } throws: { "\($0)".contains("2 labels for 3 images") }
    }

    @Test func wrongImageSizeIsRefused() {
        let dir = dataset {
            gzip(
                self.header(0x803, [3, 32, 32]) + [UInt8](repeating: 0, count: 3 * 1024),
                to: "\($0)/t10k-images-idx3-ubyte.gz")
        }
        #expect { try FashionMNIST.load(.test, directory: dir) } throws: { "\($0)".contains("32×32") }
    }

    @Test func labelOutOfRangeIsRefused() {
        let dir = dataset { gzip(self.header(0x801, [3]) + [0, 5, 12], to: "\($0)/t10k-labels-idx1-ubyte.gz") }
        #expect { try FashionMNIST.load(.test, directory: dir) } throws: { "\($0)".contains("label 12") }
    }

    @Test func truncatedGzipIsRefused() throws {
        let dir = dataset()
        let path = "\(dir)/t10k-images-idx3-ubyte.gz"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: DatasetError.self) { try FashionMNIST.load(.test, directory: dir) }
    }
}
