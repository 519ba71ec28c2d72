import ArgumentParser
import FashionModel
import Foundation
import FileSystem
import ImageIntake
import ImageSynthesis
import NeuralNet
import Training

/// Product-photo-like files made from Fashion-MNIST test images: the garment
/// enlarged, tinted and placed on a light background, saved in the PNG and
/// JPEG variants the decoder must handle, with a manifest of expected classes.
struct SamplesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samples",
        abstract: "Write sample product photos (PNG and JPEG variants) and manifest.csv.")

    @Option(name: .shortAndLong, help: "Folder to write.") var output = "samples"
    @Option(name: .long, help: "Test images per class.") var perClass = 4
    @OptionGroup var data: DataOption

    enum Variant: String, CaseIterable {
        case png = "rgb.png"
        case jpeg = "baseline.jpg"
        case progressive = "progressive.jpg"
        case grayPNG = "gray.png"
        case
            cutout = "cutout.png"
        case interlaced = "interlaced.png"
        case grayJPEG = "gray.jpg"
        case arithmetic = "arithmetic.jpg"
    }

    func run() throws {
        let test = try data.load(.test)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        var manifest = "file,expected_label,expected_class,test_index,variant,width,height\n"
        var rng = RNG(seed: 42)
        var written = 0
        for c in FashionClass.allCases {
            let indices = test.labels.indices.filter { test.labels[$0] == c.rawValue }.prefix(perClass)
            for (k, index) in indices.enumerated() {
                // Cycle through the variants so every class gets several kinds.
                let variant = Variant.allCases[(c.rawValue * perClass + k) % Variant.allCases.count]
                let large = k == 0 && c.rawValue % 3 == 0
                let (w, h) = large ? (1000, 1300) : (300, 390)
                let name = "\(c.slug)-\(index)-\(large ? "large-" : "")\(variant.rawValue)"
                let pixels = Array(test.pixels[index * 784..<(index + 1) * 784])
                let tint = (0..<3).map { _ in 20 + 120 * rng.uniform() }
                let bytes = try encode(ProductPhoto.render(pixels, width: w, height: h, tint: tint), variant)
                guard FileManager.default.createFile(atPath: "\(output)/\(name)", contents: Data(bytes)) else {
                    throw CLIError("\(output)/\(name): cannot write")
                }
                manifest += "\(name),\(c.rawValue),\(c.name),\(index),\(variant.rawValue),\(w),\(h)\n"
                written += 1
            }
        }
        try AtomicFile.write(manifest, to: "\(output)/manifest.csv")
        print("wrote \(written) photos and \(output)/manifest.csv")
    }

    func encode(_ photo: (image: Image, alpha: [UInt8]), _ v: Variant) throws -> [UInt8] {
        let img = photo.image
        switch v {
        case .png: return try ImageEncoder.png(img.rgb, width: img.width, height: img.height, channels: 3)
        case .interlaced:
            return try ImageEncoder.png(img.rgb, width: img.width, height: img.height, channels: 3, interlaced: true)
        case .grayPNG:
            return try ImageEncoder.png(
                img.gray.map { UInt8(min(max($0.rounded(), 0), 255)) }, width: img.width, height: img.height,
                channels: 1)
        case .cutout:
            var rgba = [UInt8](); rgba.reserveCapacity(img.width * img.height * 4)
            for i in 0..<img.width * img.height {
                rgba += [img.rgb[3 * i], img.rgb[3 * i + 1], img.rgb[3 * i + 2], photo.alpha[i]]
            }
            return try ImageEncoder.png(rgba, width: img.width, height: img.height, channels: 4)
        case .jpeg: return try ImageEncoder.jpeg(img)
        case .progressive: return try ImageEncoder.jpeg(img, .init(progressive: true))
        case .grayJPEG: return try ImageEncoder.jpeg(img, .init(gray: true))
        case .arithmetic: return try ImageEncoder.jpeg(img, .init(arithmetic: true))
        }
    }
}
