import Foundation
import NeuralNet
import TestSupport
import Testing
@testable import FashionModel

@Suite struct CheckpointTests {
    func sampleInput() -> [Float] {
        var rng = RNG(seed: 5)
        return (0..<4 * 784).map { _ in rng.uniform() }
    }

    @Test(arguments: [Architecture.seed, Architecture.slim, Architecture.slim512, Architecture.slim.withOtherOutput()])
    func roundTripKeepsOutputs(arch: Architecture) throws {
        let dir = temporaryDirectory()
        let model = Model(architecture: arch, seed: 3)
        // Move batch-norm statistics off their initial values so they are tested too.
        let x = Tensor(shape: [4, 1, 28, 28], data: sampleInput())
        let net = model.network
        _ = net.forward(x, training: true)
        model.update(from: net)
        model.metadata["training"] = "{\"epochs\":1}"
        try model.save(to: "\(dir)/m.safetensors")
        let loaded = try Model(contentsOf: "\(dir)/m.safetensors")
        #expect(loaded.architecture == arch)
        #expect(loaded.metadata["training"] == "{\"epochs\":1}")
        #expect(loaded.id == model.id)
        #expect(loaded.probabilities(sampleInput()).data == model.probabilities(sampleInput()).data)
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.safetensors.tmp-\(getpid())"))
    }

    /// An added "none of these" output starts at a zero logit: the ten class logits stay as they were, and the
    /// class probabilities are the old ones times the ten classes' share, 1 − p(other).
    @Test func anAddedOtherOutputKeepsTheClassLogits() {
        let model = Model(architecture: .seed, seed: 3), wider = model.withOtherOutput()
        #expect(wider.architecture.outputs == 11 && model.architecture.outputs == 10)
        let (old, new) = (model.logits(sampleInput()), wider.logits(sampleInput()))
        #expect(new.shape == [4, 11])
        for i in 0..<4 {
            #expect(Array(new.data[i * 11..<i * 11 + 10]) == Array(old.data[i * 10..<i * 10 + 10]))
            #expect(new.data[i * 11 + 10] == 0)
        }
        let (p, q) = (model.probabilities(sampleInput()), wider.probabilities(sampleInput()))
        #expect(q.shape == [4, 10])
        for i in 0..<4 {
            let share = q.data[i * 10..<i * 10 + 10].reduce(0, +)
            #expect(share < 1)
            for j in 0..<10 { #expect(abs(q.data[i * 10 + j] - p.data[i * 10 + j] * share) < 1e-6) }
        }
    }

    @Test func seedHasTheReferenceParameterCount() {
        #expect(Model(architecture: .seed).network.parameterCount == 241_546)
    }

    @Test func usesPyTorchNamesAndLayouts() throws {
        let bytes = Model(architecture: .seed).encoded()
        let file = try Safetensors(bytes: bytes)
        #expect(file.entries["conv1.weight"]?.shape == [32, 1, 3, 3])
        #expect(file.entries["fc1.weight"]?.shape == [128, 1152])
        #expect(file.entries["fc2.bias"]?.shape == [10])
        #expect(file.metadata["format"] == "fashionsort-cnn/1")
        #expect(file.metadata["classes"]?.contains("Ankle boot") == true)
        let slim = try Safetensors(bytes: Model(architecture: .slim).encoded())
        #expect(slim.entries["bn1.running_var"]?.shape == [32])
        #expect(slim.entries["bn1.num_batches_tracked"]?.dtype == "I64")
    }

    func refusal(_ bytes: [UInt8], mentions text: String) {
        let path = temporaryDirectory() + "/bad.safetensors"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect { try Model(contentsOf: path) } throws: { error in
            let message = "\(error)"
            return message.contains(path) && message.contains(text)
        }
    }

    @Test func refusesTruncated() {
        let good = Model(architecture: .seed).encoded()
        refusal(Array(good.prefix(good.count - 100)), mentions: "truncated")
        refusal(Array(good.prefix(5)), mentions: "truncated")
        refusal([], mentions: "truncated")
    }

    @Test func refusesCorruptHeader() {
        var bad = Model(architecture: .seed).encoded()
        bad[9] = UInt8(ascii: "#")
        refusal(bad, mentions: "corrupt header")
    }

    /// A seed checkpoint whose metadata claims another architecture.
    func relabelled(as arch: Architecture) throws -> [UInt8] {
        let seed = Model(architecture: .seed)
        let meta = [
            "format": Model.format, "architecture": String(decoding: try JSONEncoder().encode(arch), as: UTF8.self),
        ]
        return Safetensors.encode(floats: seed.network.stateTensors.map { ($0.name, $0.value) }, metadata: meta)
    }

    @Test func refusesMismatchedShapes() throws {
        let narrow = Architecture(name: "narrow", steps: [.conv(filters: 16, padding: 0), .flatten, .dense(units: 10)])
        refusal(try relabelled(as: narrow), mentions: "conv1.weight has shape [32, 1, 3, 3], expected [16, 1, 3, 3]")
        refusal(try relabelled(as: .slim), mentions: "missing tensor bn1.weight")
    }

    @Test func refusesForeignSafetensors() {
        refusal(Safetensors.encode(floats: [("w", Tensor(zeros: [2]))], metadata: [:]), mentions: "format")
    }

    @Test func refusesMissingFile() {
        #expect { try Model(contentsOf: "/nonexistent/model.safetensors") } throws: { "\($0)".contains("no such file") }
    }

    @Test func refusesNaNWeights() throws {
        let m = Model(architecture: .seed)
        let net = m.network
        net.parameters[0].value.data[0] = .nan
        m.update(from: net)
        refusal(m.encoded(), mentions: "NaN")
    }
}
