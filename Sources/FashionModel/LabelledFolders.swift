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

    public static func load(_ root: String, conversion: Conversion = .paper) throws -> Loaded {
        var loaded = Loaded(images: LabelledImages(pixels: [], labels: []), skipped: [], classes: [])
        for c in FashionClass.allCases where isFolder("\(root)/\(c.slug)") {
            let (pixels, files, skipped) = try images(under: "\(root)/\(c.slug)", conversion: conversion)
            // The daemon creates all ten folders: an empty one says nothing about its class.
            if !pixels.isEmpty { loaded.classes.append(c) }
            loaded.images =
                loaded.images
                + LabelledImages(
                    pixels: pixels, labels: [Int](repeating: c.rawValue, count: pixels.count / LabelledImages.size))
            loaded.files += files
            loaded.skipped += skipped
        }
        if isFolder("\(root)/\(outlierFolder)") {
            let (pixels, files, skipped) = try images(under: "\(root)/\(outlierFolder)", conversion: conversion)
            loaded.outliers = pixels
            loaded.outlierFiles = files
            loaded.skipped += skipped
        }
        guard !loaded.classes.isEmpty || !loaded.outliers.isEmpty else {
            let names = FashionClass.allCases.map(\.slug) + [outlierFolder]
            throw FileSystemError(path: root, reason: "no photos in class folders (\(names.joined(separator: ", ")))")
        }
        return loaded
    }

    /// Every decodable image under `root`, converted [M, 28·28], their files, and the files that were not.
    public static func images(
        under root: String, conversion: Conversion = .paper
    ) throws -> (pixels: [Float], files: [String], skipped: [IntakeError]) {
        var files: [String] = [], pixels: [Float] = [], decoded: [String] = [], skipped: [IntakeError] = []
        try FileWalker.forEachFile(under: root) { files.append($0) }
        for photo in PhotoLoader.prepare(files, conversion: conversion) {
            switch photo.pixels {
            case .success(let p): pixels += p; decoded.append(photo.file)
            case .failure(let e): skipped.append(e)
            }
        }
        return (pixels, decoded, skipped)
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
