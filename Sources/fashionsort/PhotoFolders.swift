import FashionModel
import Training
import Foundation
import ImageIntake

extension PhotoEvaluation {
    /// Loads labelled photo folders (and a folder of outliers) for `evaluate`, `calibrate` and `report`,
    /// naming each unreadable file on stderr; a folder without any photo is an error naming it.
    init(_ model: Model, photos: String, outliers: String?, conversion: Conversion = .paper) throws {
        let loaded = try reported { try LabelledFolders.load(photos, conversion: conversion) }
        let extra = try outliers.map { dir in
            try reported { try LabelledFolders.images(under: dir, conversion: conversion) }
        }
        for e in loaded.skipped + (extra?.skipped ?? []) {
            FileHandle.standardError.write(Data("skipped \(e.description)\n".utf8))
        }
        guard !loaded.classes.isEmpty else { throw CLIError("\(photos): no photos in any class folder") }
        if let outliers, extra?.pixels.isEmpty != false { throw CLIError("\(outliers): no photos") }
        self.init(model: model, photos: loaded, outliers: extra?.pixels ?? [], outlierFiles: extra?.files ?? [])
    }
}
