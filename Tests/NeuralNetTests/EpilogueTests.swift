import Testing
@testable import NeuralNet

@Suite struct EpilogueTests {
    /// A network whose inference fuses conv + batch norm + ReLU + pool and
    /// dense + batch norm + ReLU must give what the layers give one by one,
    /// at batch 1 (the product split over the cores) and at a larger batch.
    @Test(arguments: [1, 5])
    func fusedInferenceMatchesLayerByLayer(batch: Int) {
        var rng = RNG(seed: 21)
        let layers: [Layer] = [
            Conv2D(name: "conv1", inChannels: 1, outChannels: 32, padding: 1, rng: &rng),
            BatchNorm(name: "bn1", channels: 32),
            ReLU(), MaxPool2D(), Dropout(rate: 0.3, rng: &rng),
            Conv2D(name: "conv2", inChannels: 32, outChannels: 16, padding: 0, rng: &rng), ReLU(), MaxPool2D(),
            Flatten(), Dense(name: "fc1", inFeatures: 576, outFeatures: 16, rng: &rng),
            BatchNorm(name: "bn2", channels: 16),
            ReLU(), Dense(name: "fc2", inFeatures: 16, outFeatures: 3, rng: &rng),
        ]
        // Trained-looking statistics, some negative scales (they flip which value is the max).
        for case let bn as BatchNorm in layers {
            let c = bn.channels
            bn.weight.value = Tensor(
                shape: [c], data: (0..<c).map { i in (i % 3 == 0 ? -1 : 1) * (0.5 + rng.uniform()) })
            bn.bias.value = Tensor(shape: [c], data: (0..<c).map { _ in rng.normal() * 0.1 })
            bn.runningMean.value = Tensor(shape: [c], data: (0..<c).map { _ in rng.normal() * 0.2 })
            bn.runningVar.value = Tensor(shape: [c], data: (0..<c).map { _ in 0.5 + rng.uniform() })
        }
        for case let conv as Conv2D in layers {
            conv.bias.value = Tensor(
                shape: [conv.outChannels], data: (0..<conv.outChannels).map { _ in rng.normal() * 0.1 })
        }
        let net = Sequential(layers, inputShape: [1, 28, 28])
        let x = Tensor(shape: [batch, 1, 28, 28], data: (0..<batch * 784).map { _ in rng.uniform() })
        let fused = net.forward(x)
        let plain = layers.reduce(x) { $1.forward($0, training: false) }
        #expect(fused.shape == plain.shape)
        for i in 0..<plain.count { #expect(abs(fused.data[i] - plain.data[i]) < 1e-4 * max(1, abs(plain.data[i]))) }
    }
}
