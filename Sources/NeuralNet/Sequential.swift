/// A network as a list of layers applied in order.
public final class Sequential {
    public let layers: [Layer]
    /// Input shape without the batch dimension, e.g. [1, 28, 28].
    public let inputShape: [Int]

    public init(_ layers: [Layer], inputShape: [Int]) {
        self.layers = layers
        self.inputShape = inputShape
        // The input needs no gradient: skipping it saves the first col2im.
        if let first = layers.first as? InputGradientOptional { first.needsInputGradient = false }
    }

    public func forward(_ x: Tensor, training: Bool = false) -> Tensor {
        training ? layers.reduce(x) { $1.forward($0, training: true) } : infer(x)
    }

    /// Inference: each convolution or dense layer takes the batch norm, ReLU and
    /// max pool after it into its epilogue; other layers run as they are.
    private func infer(_ x: Tensor) -> Tensor {
        var x = x, i = 0
        while i < layers.count {
            let layer = layers[i]
            i += 1
            guard let fusable = layer as? EpilogueFusable else { x = layer.forward(x, training: false); continue }
            var epilogue = Epilogue(bias: fusable.bias)
            if i < layers.count, let bn = layers[i] as? BatchNorm { epilogue.fold(bn); i += 1 }
            if i < layers.count, layers[i] is ReLU { epilogue.relu = true; i += 1 }
            if fusable.canPool, i < layers.count, layers[i] is MaxPool2D { epilogue.pool = true; i += 1 }
            x = fusable.infer(x, epilogue)
        }
        return x
    }

    /// Back-propagates dL/dy through every layer, accumulating gradients.
    public func backward(_ dy: Tensor) {
        _ = layers.reversed().reduce(dy) { $1.backward($0) }
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var buffers: [Parameter] { layers.flatMap(\.buffers) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Every saved tensor by its PyTorch state-dict name.
    public var stateTensors: [Parameter] { layers.flatMap { $0.parameters + $0.buffers } }

    /// Batch-norm layers, whose `num_batches_tracked` a PyTorch state dict also holds.
    public var batchNorms: [BatchNorm] { layers.compactMap { $0 as? BatchNorm } }

}
