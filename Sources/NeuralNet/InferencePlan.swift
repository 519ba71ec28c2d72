/// A network's inference, its weights fixed when the plan is made: each
/// convolution or dense layer packed once, with the batch norm, ReLU and max
/// pool after it folded into its epilogue; other layers are steps of their own.
/// Immutable, so any number of tasks may run one plan at once (each call
/// allocates its own scratch), and training the network later leaves it as it was.
public struct InferencePlan: Sendable {
    /// Input shape without the batch dimension, e.g. [1, 28, 28].
    public let inputShape: [Int]
    private let steps: [InferenceStep]

    public init(_ network: Sequential) {
        let layers = network.layers
        var steps: [InferenceStep] = [], i = 0
        while i < layers.count {
            let layer = layers[i]
            i += 1
            guard let fusable = layer as? EpilogueFusable else { steps.append(layer.frozen()); continue }
            var epilogue = Epilogue(bias: fusable.bias)
            if i < layers.count, let bn = layers[i] as? BatchNorm { epilogue.fold(bn); i += 1 }
            if i < layers.count, layers[i] is ReLU { epilogue.relu = true; i += 1 }
            if fusable.canPool, i < layers.count, layers[i] is MaxPool2D { epilogue.pool = true; i += 1 }
            steps.append(fusable.frozen(epilogue))
        }
        self.steps = steps
        inputShape = network.inputShape
    }

    // x [N, C, H, W] → the network's output [N, K]
    public func logits(_ x: Tensor) -> Tensor { steps.reduce(x) { $1($0) } }
}
