import FashionModel
import FileSystem
import Foundation
import ImageIntake

/// Photos in folders named by class slug (`coat/`, `t-shirt-top/`, …): the
/// daemon's out/ and review/ after a person fixed wrong ones, or any labelled
/// collection. A folder named `other` holds photos of none of the classes
/// (the daemon's `other/`, or a person's "none of these" decisions).
/// Unreadable files are reported and skipped, never fatal.
public enum LabelledFolders {
    public static let outlierFolder = "other"

    public struct Loaded: Sendable {
        public var images: LabelledImages
        /// The file of each image, in order.
        public var files: [String] = []
        /// Images of the `other` folder [M, 28·28], and their files.
        public var outliers: [Float] = [], outlierFiles: [String] = []
        public var skipped: [IntakeError]
        /// Classes that have a folder, in label order.
        public var classes: [FashionClass]

        public var outlierCount: Int { outliers.count / LabelledImages.size }
    }

    /// The photo files under `root`, by class folder, before any is decoded.
    public struct Listing: Sendable {
        /// Files of the class folders, in label order, and the label of each.
        public var files: [String] = [], labels: [Int] = []
        /// Files of the `other` folder.
        public var outlierFiles: [String] = []

        public init() {}
    }

    public static func list(_ root: String) throws -> Listing {
        var listing = Listing()
        for c in FashionClass.allCases where isFolder("\(root)/\(c.slug)") {
            try FileWalker.forEachFile(under: "\(root)/\(c.slug)") { listing.files.append($0) }
            listing.labels += [Int](repeating: c.rawValue, count: listing.files.count - listing.labels.count)
        }
        if isFolder("\(root)/\(outlierFolder)") {
            try FileWalker.forEachFile(under: "\(root)/\(outlierFolder)") { listing.outlierFiles.append($0) }
        }
        guard !listing.files.isEmpty || !listing.outlierFiles.isEmpty else { throw noPhotos(root) }
        return listing
    }

    public static func load(_ root: String, conversion: Conversion = .paper) throws -> Loaded {
        let listing = try list(root)
        let photos = images(listing.files, conversion: conversion)
        var loaded = Loaded(
            images: LabelledImages(pixels: photos.pixels, labels: photos.kept.map { listing.labels[$0] }),
            files: photos.kept.map { listing.files[$0] }, skipped: photos.skipped, classes: [])
        // The daemon creates all ten folders: an empty one says nothing about its class.
        let labels = Set(loaded.images.labels)
        loaded.classes = FashionClass.allCases.filter { labels.contains($0.rawValue) }
        let other = images(listing.outlierFiles, conversion: conversion)
        loaded.outliers = other.pixels
        loaded.outlierFiles = other.kept.map { listing.outlierFiles[$0] }
        loaded.skipped += other.skipped
        guard !loaded.classes.isEmpty || !loaded.outliers.isEmpty else { throw noPhotos(root) }
        return loaded
    }

    /// Every decodable image under `root`, converted [M, 28·28], their files, and the files that were not.
    public static func images(
        under root: String, conversion: Conversion = .paper
    ) throws -> (pixels: [Float], files: [String], skipped: [IntakeError]) {
        let files = try FileWalker.files(under: root)
        let converted = images(files, conversion: conversion)
        return (converted.pixels, converted.kept.map { files[$0] }, converted.skipped)
    }

    /// The files converted [M, 28·28], the indices of those decoded, and the errors of those that were not.
    public static func images(
        _ files: [String], conversion: Conversion = .paper
    ) -> (pixels: [Float], kept: [Int], skipped: [IntakeError]) {
        images(files) { conversion.apply($1) }
    }

    /// The files decoded and turned into model inputs by `convert` (given each file's index and image), the
    /// indices of those decoded, and the errors of those that were not.
    public static func images(
        _ files: [String], convert: @escaping @Sendable (Int, Image) -> [Float]
    ) -> (pixels: [Float], kept: [Int], skipped: [IntakeError]) {
        var pixels: [Float] = [], kept: [Int] = [], skipped: [IntakeError] = []
        for (i, photo) in PhotoLoader.prepare(files, convert: convert).enumerated() {
            switch photo.pixels {
            case .success(let p): pixels += p; kept.append(i)
            case .failure(let e): skipped.append(e)
            }
        }
        return (pixels, kept, skipped)
    }

    private static func noPhotos(_ root: String) -> FileSystemError {
        let names = FashionClass.allCases.map(\.slug) + [outlierFolder]
        return FileSystemError(path: root, reason: "no photos in class folders (\(names.joined(separator: ", ")))")
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
