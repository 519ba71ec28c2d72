import FileSystem
import Foundation
import NeuralNet

public enum CheckpointError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, problem: Safetensors.Problem)
    case incompatible(path: String, reason: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "\(p): cannot read model: \(r)"
        case .invalid(let p, let problem): "\(p): not a valid safetensors checkpoint: \(problem)"
        case .incompatible(let p, let r): "\(p): not a FashionSort model: \(r)"
        case .unwritable(let p, let r): "\(p): cannot write model: \(r)"
        }
    }
}

/// A trained classifier: its architecture, weights and the metadata stored
/// with it in a safetensors checkpoint (PyTorch state-dict names and layouts).
public final class Model: @unchecked Sendable {
    public static let format = "fashionsort-cnn/1"

    public let architecture: Architecture
    public let network: Sequential
    /// `__metadata__` strings: format, architecture, classes, preprocessing, training, metrics, created.
    public var metadata: [String: String]
    /// Short content hash of the checkpoint it was loaded from (or "untrained").
    public private(set) var id: String
    /// Softmax temperature fitted on validation data (1 = none).
    public var temperature: Float

    /// A He-initialised network from `seed`; nil leaves the weights zero for a checkpoint to fill.
    public init(architecture: Architecture, seed: UInt64? = 0) {
        self.architecture = architecture
        self.network = architecture.build(seed: seed)
        self.metadata = [:]
        self.id = "untrained"
        self.temperature = 1
    }

    // MARK: Loading

    public convenience init(contentsOf path: String) throws(CheckpointError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw .unreadable(path: path, reason: reason)
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    public convenience init(bytes: [UInt8], path: String) throws(CheckpointError) {
        let file: Safetensors
        do { file = try Safetensors(bytes: bytes) } catch { throw .invalid(path: path, problem: error) }
        guard file.metadata["format"] == Self.format else {
            throw .incompatible(path: path, reason: "metadata format is \(file.metadata["format"] ?? "absent"), expected \(Self.format)")
        }
        guard let archJSON = file.metadata["architecture"]?.data(using: .utf8),
              let arch = try? JSONDecoder().decode(Architecture.self, from: archJSON)
        else { throw .incompatible(path: path, reason: "architecture metadata missing or unreadable") }
        self.init(architecture: arch, seed: nil)
        do {
            for p in network.stateTensors {
                p.value = try file.tensor(p.name, shape: p.value.shape)
            }
        } catch { throw .invalid(path: path, problem: error) }
        for (i, bn) in network.batchNorms.enumerated() {
            bn.batchesTracked = file.int64("bn\(i + 1).num_batches_tracked") ?? 0
        }
        metadata = file.metadata
        temperature = Float(file.metadata["temperature"] ?? "1") ?? 1
        id = Self.contentID(bytes)
    }

    // MARK: Saving

    public func encoded() -> [UInt8] {
        var meta = metadata
        meta["format"] = Self.format
        meta["architecture"] = String(decoding: (try? JSONEncoder().encode(architecture)) ?? Data(), as: UTF8.self)
        meta["classes"] = "[" + FashionClass.allCases.map { JSON.quote($0.name) }.joined(separator: ",") + "]"
        meta["preprocessing"] = meta["preprocessing"] ?? Self.preprocessing
        meta["temperature"] = String(temperature)
        if meta["created"] == nil { meta["created"] = ISO8601DateFormatter().string(from: Date()) }
        let ints = network.batchNorms.enumerated().map { ("bn\($0.offset + 1).num_batches_tracked", $0.element.batchesTracked) }
        return Safetensors.encode(floats: network.stateTensors.map { ($0.name, $0.value) }, int64s: ints, metadata: meta)
    }

    /// Writes atomically: a temporary file in the same folder, fsync, rename, fsync of the folder.
    public func save(to path: String) throws(CheckpointError) {
        let bytes = encoded()
        do { try AtomicFile.write(bytes, to: path) } catch { throw .unwritable(path: path, reason: error.reason) }
        id = Self.contentID(bytes)
    }

    static let preprocessing = #"{"input":[1,28,28],"range":[0,1],"polarity":"garment bright on dark","source":"Fashion-MNIST IDX or ImageIntake conversion"}"#

    /// FNV-1a of the file: a stable short id to tell models apart in logs and CSVs.
    static func contentID(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    // MARK: Inference

    /// Class probabilities [N, 10] for images [N, 28·28], temperature-scaled.
    public func probabilities(_ pixels: [Float], batch: Int = 256) -> Tensor {
        SoftmaxCrossEntropy.probabilities(logits(pixels, batch: batch), temperature: temperature)
    }

    /// Logits [N, 10] for images [N, 28·28], batched.
    public func logits(_ pixels: [Float], batch: Int = 256) -> Tensor {
        let n = pixels.count / LabelledImages.size
        var out: [Float] = []
        out.reserveCapacity(n * 10)
        for start in stride(from: 0, to: n, by: batch) {
            let m = min(batch, n - start)
            let x = Tensor(shape: [m, 1, 28, 28],
                           data: Array(pixels[start * LabelledImages.size ..< (start + m) * LabelledImages.size]))
            out += network.forward(x).data
        }
        return Tensor(shape: [n, 10], data: out)
    }
}

extension Model {
    /// The shipped model: `FASHIONSORT_MODEL`, else the installed copy beside
    /// the binary (`../share/fashionsort/`), else the build tree's resource.
    public static var defaultPath: String {
        if let env = ProcessInfo.processInfo.environment["FASHIONSORT_MODEL"], !env.isEmpty { return env }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let dir = (exe as NSString).deletingLastPathComponent
        let candidates = [
            "\(dir)/../share/fashionsort/default.safetensors",
            "\(dir)/FashionSort_FashionModel.resources/default.safetensors",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/default.safetensors").path,
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[2]
    }
}
