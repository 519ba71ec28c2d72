import FileSystem
import Foundation
import ImageIntake

/// Photos in folders named by class slug (`coat/`, `t-shirt-top/`, …): the
/// daemon's out/ and review/ after a person fixed wrong ones, or any labelled
/// collection. Unreadable files are reported and skipped, never fatal.
public enum LabelledFolders {
    public struct Loaded: Sendable {
        public var images: LabelledImages
        public var skipped: [IntakeError]
        /// Classes that have a folder, in label order.
        public var classes: [FashionClass]
    }

    public static func load(_ root: String, conversion: Conversion = .paper) throws -> Loaded {
        var pixels: [Float] = [], labels: [Int] = [], skipped: [IntakeError] = [], classes: [FashionClass] = []
        for c in FashionClass.allCases {
            let dir = "\(root)/\(c.slug)"
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { continue }
            classes.append(c)
            var files: [String] = []
            try FileWalker.forEachFile(under: dir) { files.append($0) }
            for photo in PhotoLoader.prepare(files, conversion: conversion) {
                switch photo.pixels {
                case .success(let p): pixels += p; labels.append(c.rawValue)
                case .failure(let e): skipped.append(e)
                }
            }
        }
        guard !classes.isEmpty else {
            throw FileSystemError(
                path: root, reason: "no class folders (\(FashionClass.allCases.map(\.slug).joined(separator: ", ")))")
        }
        return Loaded(images: LabelledImages(pixels: pixels, labels: labels), skipped: skipped, classes: classes)
    }
}
