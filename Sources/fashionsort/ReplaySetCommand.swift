import ArgumentParser
import FashionModel
import FileSystem
import Foundation
import ImageIntake
import Training

/// Writes the replay set a fine-tune rehearses (`train --replay`): the photos a model was trained on,
/// converted as the daemon converts them, 8 bits a pixel.
struct ReplaySetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay-set",
        abstract: "Write the photos a model was trained on as a replay set for fine-tunes (train --replay).")

    @Option(name: .long, help: ArgumentHelp("Labelled photos in class-slug folders (repeatable).", valueName: "dir"))
    var photos: [String] = []
    @Option(name: .long, help: ArgumentHelp("Photos of things in no class (repeatable).", valueName: "dir"))
    var outliers: [String] = []
    @Option(name: .shortAndLong, help: "Replay set to write.") var output = "replay.safetensors"

    func run() throws {
        var files: [String] = [], labels: [Int] = [], other: [String] = []
        for dir in photos {
            let listing = try reported { try LabelledFolders.list(dir) }
            files += listing.files
            labels += listing.labels
            other += listing.outlierFiles
        }
        for dir in outliers { other += try reported { try FileWalker.files(under: dir) } }
        let loaded = ShopPhotos.load(files: files, labels: labels, outlierFiles: other)
        for e in loaded.skipped { FileHandle.standardError.write(Data("skipped \(e.description)\n".utf8)) }
        let set = ReplaySet(images: loaded.photos.images, outliers: loaded.photos.outliers)
        do { try set.write(to: output) } catch { throw CLIError(error.description) }
        print("wrote \(output): \(set.images.count) photos, \(set.outliers.count / LabelledImages.size) outliers")
    }
}
