import FileSystem
import Foundation
import NeuralNet
import Synchronization

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
/// Any number of tasks may call `predict` on one model at once: inference runs
/// on an immutable `InferencePlan` made once for each version of the weights.
public final class Model: Sendable {
    public static let format = "fashionsort-cnn/1"
    /// An input is one `side` × `side` grayscale image, row-major, in [0, 1] (Fashion-MNIST's own size).
    public static let side = 28

    public let architecture: Architecture
    /// Everything that may change after the model is made, under one lock: a new
    /// version of the weights comes with its plan, so a `predict` takes both
    /// consistently and then runs outside the lock.
    private let state: Mutex<State>

    private struct State {
        var weights: Weights
        var inference: InferencePlan
        /// The card, decoded once each time the strings change, not at every look (the daemon looks at the
        /// operating point every batch).
        var metadata: [String: String] { didSet { card = ModelCard(metadata) } }
        private(set) var card: ModelCard
        var id: String
        var temperature: Float

        init(weights: Weights, inference: InferencePlan, metadata: [String: String], id: String, temperature: Float) {
            self.weights = weights; self.inference = inference; self.metadata = metadata
            card = ModelCard(metadata)
            self.id = id; self.temperature = temperature
        }
    }

    /// A He-initialised network from `seed`; nil leaves the weights zero.
    public convenience init(architecture: Architecture, seed: UInt64? = 0) {
        self.init(
            architecture: architecture, network: architecture.build(seed: seed), metadata: [:], id: "untrained",
            temperature: 1)
    }

    init(
        architecture: Architecture, network: Sequential, metadata: [String: String], id: String,
        temperature: Float
    ) {
        self.architecture = architecture
        state = Mutex(
            State(
                weights: Weights(network), inference: InferencePlan(network), metadata: metadata, id: id,
                temperature: temperature))
    }

    /// `__metadata__` strings: format, architecture, classes, preprocessing, training, metrics, created.
    public var metadata: [String: String] {
        get { state.withLock { $0.metadata } }
        set { state.withLock { $0.metadata = newValue } }
    }

    /// What the metadata says, decoded.
    public var card: ModelCard { state.withLock { $0.card } }

    /// Short content hash of the checkpoint it was loaded from or saved to (or "untrained").
    public var id: String { state.withLock { $0.id } }

    /// Softmax temperature fitted on validation data (1 = none).
    public var temperature: Float {
        get { state.withLock { $0.temperature } }
        set { state.withLock { $0.temperature = newValue } }
    }

    /// The weights packed for inference, as they are now.
    public var inference: InferencePlan { state.withLock { $0.inference } }

    /// A new network holding a copy of the weights, to train or inspect: changing
    /// it changes the model only through `update(from:)` (which `Trainer` calls).
    public var network: Sequential {
        let net = architecture.build(seed: nil)
        state.withLock { $0.weights }.restore(into: net)
        return net
    }

    /// Takes `network`'s weights (the same architecture, e.g. just trained) and packs them for inference.
    /// For the `Training` module only: the daemon never changes a model, it loads a new one.
    package func update(from network: Sequential) {
        let weights = Weights(network), inference = InferencePlan(network)
        state.withLock {
            $0.weights = weights
            $0.inference = inference
        }
    }

    // MARK: Loading

    public convenience init(contentsOf path: String) throws(CheckpointError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason =
                FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw .unreadable(path: path, reason: reason)
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    public convenience init(bytes: [UInt8], path: String) throws(CheckpointError) {
        let file: Safetensors
        do { file = try Safetensors(bytes: bytes) } catch { throw .invalid(path: path, problem: error) }
        guard file.metadata["format"] == Self.format else {
            throw .incompatible(
                path: path, reason: "metadata format is \(file.metadata["format"] ?? "absent"), expected \(Self.format)"
            )
        }
        guard let archJSON = file.metadata["architecture"]?.data(using: .utf8),
            let arch = try? JSONDecoder().decode(Architecture.self, from: archJSON)
        else { throw .incompatible(path: path, reason: "architecture metadata missing or unreadable") }
        let network = arch.build(seed: nil)
        do {
            for p in network.stateTensors {
                p.value = try file.tensor(p.name, shape: p.value.shape)
            }
        } catch { throw .invalid(path: path, problem: error) }
        for (i, bn) in network.batchNorms.enumerated() {
            bn.batchesTracked = file.int64("bn\(i + 1).num_batches_tracked") ?? 0
        }
        self.init(
            architecture: arch, network: network, metadata: file.metadata, id: Self.contentID(bytes),
            temperature: Float(file.metadata["temperature"] ?? "1") ?? 1)
    }

    // MARK: Saving

    public func encoded() -> [UInt8] {
        let (weights, metadata, temperature) = state.withLock { ($0.weights, $0.metadata, $0.temperature) }
        var meta = metadata
        meta["format"] = Self.format
        meta["architecture"] = String(decoding: (try? JSONEncoder().encode(architecture)) ?? Data(), as: UTF8.self)
        meta["classes"] = "[" + FashionClass.allCases.map { JSON.quote($0.name) }.joined(separator: ",") + "]"
        meta["preprocessing"] = meta["preprocessing"] ?? Self.preprocessing
        meta["temperature"] = String(temperature)
        if meta["created"] == nil { meta["created"] = ISO8601DateFormatter().string(from: Date()) }
        let ints = weights.batchesTracked.enumerated().map { ("bn\($0.offset + 1).num_batches_tracked", $0.element) }
        return Safetensors.encode(floats: weights.tensors, int64s: ints, metadata: meta)
    }

    /// Writes atomically: a temporary file in the same folder, fsync, rename, fsync of the folder.
    public func save(to path: String) throws(CheckpointError) {
        let bytes = encoded()
        do { try AtomicFile.write(bytes, to: path) } catch { throw .unwritable(path: path, reason: error.reason) }
        let id = Self.contentID(bytes)
        state.withLock { $0.id = id }
    }

    static let preprocessing =
        #"{"input":[1,28,28],"range":[0,1],"polarity":"garment bright on dark","#
        + #""source":"Fashion-MNIST IDX or ImageIntake conversion"}"#

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
        let (inference, temperature) = state.withLock { ($0.inference, $0.temperature) }
        return classProbabilities(inference.logits(pixels: pixels, batch: batch), temperature: temperature)
    }

    /// Logits [N, K] for images [N, 28·28], batched (K = 10 classes, or 11 with "none of these").
    public func logits(_ pixels: [Float], batch: Int = 256) -> Tensor {
        inference.logits(pixels: pixels, batch: batch)
    }
}

/// A network's saved state as values: every tensor by its PyTorch state-dict
/// name, and each batch norm's `num_batches_tracked`.
package struct Weights: Sendable {
    let tensors: [(name: String, value: Tensor)]
    let batchesTracked: [Int64]

    package init(_ network: Sequential) {
        tensors = network.stateTensors.map { ($0.name, $0.value) }
        batchesTracked = network.batchNorms.map(\.batchesTracked)
    }

    /// Puts these weights back into `network` (of the architecture they came from).
    package func restore(into network: Sequential) {
        for (p, t) in zip(network.stateTensors, tensors) { p.value = t.value }
        for (bn, t) in zip(network.batchNorms, batchesTracked) { bn.batchesTracked = t }
    }
}

extension InferencePlan {
    /// Logits [N, K] for images [N, 28·28], `batch` images per pass.
    package func logits(pixels: [Float], batch: Int) -> Tensor {
        let size = Model.side * Model.side
        let n = pixels.count / size
        var out: [Float] = []
        for start in stride(from: 0, to: n, by: batch) {
            let m = min(batch, n - start)
            let x = Tensor(
                shape: [m, 1, 28, 28],
                data: Array(pixels[start * size..<(start + m) * size]))
            out += logits(x).data
        }
        return Tensor(shape: [n, n > 0 ? out.count / n : FashionClass.count], data: out)
    }
}

extension Model {
    /// The shipped model: `FASHIONSORT_MODEL`, else the installed copy beside
    /// the binary (`../share/fashionsort/`), else the build tree's resource.
    /// What `--model`, `--from` and `--teacher` accept for the shipped model, wherever it is installed.
    public static let defaultName = "default"

    /// The checkpoint a command-line name means: `default` is the shipped model; anything else is a path.
    public static func path(named name: String) -> String { name == defaultName ? defaultPath : name }

    public static var defaultPath: String {
        if let env = ProcessInfo.processInfo.environment["FASHIONSORT_MODEL"], !env.isEmpty { return env }
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let dir = (exe as NSString).deletingLastPathComponent
        let candidates = [
            "\(dir)/../share/fashionsort/default.safetensors",
            "\(dir)/FashionSort_FashionModel.resources/default.safetensors",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "Resources/default.safetensors"
            ).path,
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[2]
    }
}
