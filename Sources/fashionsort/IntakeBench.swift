import Dispatch
import FashionModel
import Foundation
import ImageIntake
import FileSystem
import ImageSynthesis
import NeuralNet

/// Decode + convert throughput (all cores, best of several runs) for the
/// image kinds the daemon meets, from bytes in memory; and end to end as
/// `classify` works: files read and hashed, decoded, converted, classified.
struct IntakeBench {
    struct Result: Codable {
        var kind: String
        var bytes: Int
        var decodePerSecond: Double
        var decodeConvertPerSecond: Double
        var endToEndPerSecond: Double
    }

    let runs: Int
    let photosFolder: String?

    func measure(model: Model) throws -> [Result] {
        var rng = RNG(seed: 9)
        let garment = (0..<784).map { i in (i % 28 > 5 && i % 28 < 22 && i / 28 > 3) ? 0.3 + 0.7 * rng.uniform() : 0 }
        func photo(_ w: Int, _ h: Int) -> Image {
            ProductPhoto.render(garment, width: w, height: h, tint: [60, 80, 120]).image
        }
        let small = Image(width: 28, height: 28, gray: garment.map { UInt8($0 * 255) })
        var kinds: [(String, [[UInt8]])] = [
            ("28x28 PNG", [try ImageEncoder.png(small.rgb, width: 28, height: 28, channels: 3)]),
            ("1000x1300 PNG", [try ImageEncoder.png(photo(1000, 1300).rgb, width: 1000, height: 1300, channels: 3)]),
            ("1000x1300 JPEG", [try ImageEncoder.jpeg(photo(1000, 1300))]),
        ]
        if let photosFolder {
            var files: [[UInt8]] = []
            try FileWalker.forEachFile(under: photosFolder) {
                if files.count < 128, let b = try? FileBytes.read($0) { files.append(b) }
            }
            kinds.insert(("400x533 phone JPEG (\(files.count) real photos)", files), at: 1)
        } else {
            kinds.insert(("400x533 JPEG (synthetic)", [try ImageEncoder.jpeg(photo(400, 533))]), at: 1)
        }
        let folder = NSTemporaryDirectory() + "fashionsort-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try kinds.enumerated().map { index, kind in
            let (name, samples) = kind
            let n = max(256, samples.count)
            let limits = PhotoLoader.limits()
            func convertAll(converting: Bool = true) {
                DispatchQueue.concurrentPerform(iterations: n) { i in
                    let img = try! ImageDecoder.decode(samples[i % samples.count], file: "bench", limits: limits)
                    if converting { _ = FashionConversion.convert(img) }
                }
            }
            let paths = try samples.enumerated().map { i, bytes in
                let path = "\(folder)/\(index)-\(i)"
                guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                    throw CocoaError(.fileWriteUnknown)
                }
                return path
            }
            let batch = (0..<n).map { paths[$0 % paths.count] }
            let decode = best { convertAll(converting: false) }
            let convert = best { convertAll() }
            let endToEnd = best { _ = model.classify(PhotoLoader.prepare(batch, limits: limits)) }
            return Result(
                kind: name, bytes: samples.map(\.count).reduce(0, +) / samples.count,
                decodePerSecond: Double(n) / decode, decodeConvertPerSecond: Double(n) / convert,
                endToEndPerSecond: Double(n) / endToEnd)
        }
    }

    func best(_ body: () -> Void) -> Double { bestTime(runs: runs, body) }
}
