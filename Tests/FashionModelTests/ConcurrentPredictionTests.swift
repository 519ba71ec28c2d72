import NeuralNet
import Testing
@testable import FashionModel

@Suite struct ConcurrentPredictionTests {
    /// Every prediction as (class, confidence) pairs in rank order, compared bit for bit.
    static func answers(_ predictions: [Prediction]) -> [[Float]] {
        predictions.map { $0.ranked.flatMap { [Float($0.label.rawValue), $0.confidence] } }
    }

    /// Two tasks predicting on one model at once, batches of 1 to 300 images
    /// (300 takes a full pass and a partial one) in different orders, give
    /// exactly what one thread gives.
    @Test func twoTasksGetOneThreadsAnswers() async throws {
        let model = try Model(contentsOf: Model.defaultPath)
        var rng = RNG(seed: 8)
        let sizes = [1, 3, 7, 64, 256, 300]
        let inputs = sizes.map { n in (0..<n * 784).map { _ in rng.uniform() } }
        let expected = inputs.map { Self.answers(model.predict($0)) }
        @Sendable func run(_ order: [Int]) -> Int {
            var mismatches = 0
            for _ in 0..<12 {
                for i in order where Self.answers(model.predict(inputs[i])) != expected[i] { mismatches += 1 }
            }
            return mismatches
        }
        async let forward = run(Array(sizes.indices))
        async let backward = run(sizes.indices.reversed())
        let (a, b) = await (forward, backward)
        #expect(a == 0 && b == 0, "mismatched batches: \(a) and \(b)")
    }

    /// Training works on a copy of the weights: the model's answers change only
    /// when the trained weights are handed back, and then match a fresh load of them.
    @Test func trainingCopyReachesTheModelOnlyThroughUpdate() {
        let model = Model(architecture: .slim, seed: 5)
        var rng = RNG(seed: 6)
        let pixels = (0..<8 * 784).map { _ in rng.uniform() }
        let before = model.logits(pixels)
        let net = model.network
        let x = Tensor(shape: [8, 1, 28, 28], data: pixels)
        _ = net.forward(x, training: true)  // moves the batch-norm statistics
        #expect(model.logits(pixels).data == before.data)
        model.update(from: net)
        #expect(model.logits(pixels).data != before.data)
        #expect(model.logits(pixels).data == InferencePlan(net).logits(x).data)
    }
}
