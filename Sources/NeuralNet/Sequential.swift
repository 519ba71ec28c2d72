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

    /// Training runs the layers one by one, each caching what `backward` needs. Inference
    /// builds an `InferencePlan` on every call: for repeated inference keep one instead.
    public func forward(_ x: Tensor, training: Bool = false) -> Tensor {
        training ? layers.reduce(x) { $1.forward($0, training: true) } : InferencePlan(self).logits(x)
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
