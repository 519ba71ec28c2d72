import FileSystem
import Foundation
import ImageIntake
import TestSupport
import Testing
@testable import FashionModel
@testable import Training

@Suite struct LabelledFoldersTests {
    @Test func loadsClassFoldersAndSkipsBadFiles() throws {
        let root = temporaryDirectory("folders")
        for (slug, n) in [("coat", 3), ("sneaker", 2)] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(slug)/nested", withIntermediateDirectories: true)
            for i in 0..<n { write(samplePNG(i), to: "\(root)/\(slug)/\(i).png") }
        }
        write(samplePNG(9), to: "\(root)/sneaker/nested/deep.png")
        write(Array("oops".utf8), to: "\(root)/coat/broken.jpg")
        write([], to: "\(root)/coat/empty.png")
        try FileManager.default.createDirectory(atPath: "\(root)/not-a-class", withIntermediateDirectories: true)
        write(samplePNG(1), to: "\(root)/not-a-class/x.png")
        let loaded = try LabelledFolders.load(root)
        #expect(loaded.classes == [.coat, .sneaker])
        #expect(loaded.images.labels.sorted() == [4, 4, 4, 7, 7, 7])
        #expect(Set(loaded.skipped.map(\.kind)) == ["unknown-format", "empty"])
        #expect(loaded.skipped.allSatisfy { $0.file.hasPrefix(root) })
        #expect(throws: FileSystemError.self) { try LabelledFolders.load("\(root)/not-a-class") }
        #expect(loaded.files.count == 6 && loaded.files.allSatisfy { $0.hasPrefix(root) && $0.hasSuffix(".png") })
    }

    /// `other/` holds a person's "none of these" photos; an empty class folder names no class.
    @Test func otherFolderHoldsOutliersAndEmptyFoldersAreSkipped() throws {
        let root = temporaryDirectory("folders-other")
        for dir in ["trouser", "bag", "other/hats"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true)
        }
        write(samplePNG(1), to: "\(root)/trouser/a.png")
        for i in 0..<3 { write(samplePNG(10 + i), to: "\(root)/other/hats/\(i).png") }
        let loaded = try LabelledFolders.load(root)
        #expect(loaded.classes == [.trouser] && loaded.images.count == 1)
        #expect(loaded.outlierCount == 3 && loaded.outlierFiles.allSatisfy { $0.hasPrefix("\(root)/other/hats/") })
        // Only outliers is still something to learn from.
        try FileManager.default.removeItem(atPath: "\(root)/trouser")
        #expect(try LabelledFolders.load(root).outlierCount == 3)
    }
}
