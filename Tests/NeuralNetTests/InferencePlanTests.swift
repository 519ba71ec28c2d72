import Testing
@testable import NeuralNet

@Suite struct InferencePlanTests {
    static func network(_ rng: inout RNG) -> Sequential {
        Sequential(
            [
                Conv2D(name: "conv1", inChannels: 1, outChannels: 8, padding: 1, rng: &rng),
                BatchNorm(name: "bn1", channels: 8), ReLU(), MaxPool2D(),
                Conv2D(name: "conv2", inChannels: 8, outChannels: 16, padding: 0, rng: &rng), ReLU(), MaxPool2D(),
                Flatten(), Dense(name: "fc1", inFeatures: 576, outFeatures: 10, rng: &rng),
            ], inputShape: [1, 28, 28])
    }

    /// A plan keeps the weights it was made from while the network trains on,
    /// and a plan made afterwards matches the network's own inference.
    @Test func planIsUnchangedByTraining() {
        var rng = RNG(seed: 31)
        let net = Self.network(&rng)
        let x = Tensor(shape: [5, 1, 28, 28], data: (0..<5 * 784).map { _ in rng.uniform() })
        let plan = InferencePlan(net)
        let before = plan.logits(x)
        #expect(net.forward(x).data == before.data)
        let out = net.forward(x, training: true)
        net.backward(SoftmaxCrossEntropy.evaluate(out, labels: [0, 1, 2, 3, 4]).gradient)
        Adam(net.parameters, learningRate: 0.01).update()
        #expect(plan.logits(x).data == before.data)
        let after = InferencePlan(net).logits(x)
        #expect(after.data != before.data)
        #expect(net.forward(x).data == after.data)
    }
}
