/// A trainable tensor with its gradient. `decay` marks weights that decoupled
/// weight decay applies to (not biases or normalisation scales).
public final class Parameter {
    public let name: String
    public var value: Tensor
    public var grad: Tensor
    public let decay: Bool

    public init(_ name: String, _ value: Tensor, decay: Bool = false) {
        self.name = name
        self.value = value
        self.grad = Tensor(zeros: value.shape)
        self.decay = decay
    }

    /// A decayed weight drawn from N(0, 2 / fanIn) (He et al. 2015), or zeros
    /// when a checkpoint is about to fill it.
    static func heWeight(_ name: String, shape: [Int], fanIn: Int, rng: inout RNG, random: Bool) -> Parameter {
        let count = shape.reduce(1, *), std = (2 / Float(fanIn)).squareRoot()
        let data = random ? (0..<count).map { _ in rng.normal() * std } : [Float](repeating: 0, count: count)
        return Parameter(name, Tensor(shape: shape, data: data), decay: true)
    }

    public func zeroGrad() {
        grad.data.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}

/// One step of a sequential network. Forward caches what backward needs;
/// backward takes dL/dy, accumulates parameter gradients and returns dL/dx.
/// Inference runs on `frozen()`, which leaves the layer untouched.
public protocol Layer: AnyObject {
    /// Output shape (without the batch dimension) for an input shape.
    func outputShape(_ input: [Int]) -> [Int]
    func forward(_ x: Tensor, training: Bool) -> Tensor
    func backward(_ dy: Tensor) -> Tensor
    /// Inference with the current weights copied (and packed): later training does not change it.
    func frozen() -> InferenceStep
    /// Trained tensors.
    var parameters: [Parameter] { get }
    /// Saved but untrained state (batch-norm running statistics).
    var buffers: [Parameter] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [Parameter] { [] }
}

/// A layer's inference, x [N, …] → y [N, …]: it shares nothing mutable, so
/// concurrent calls are safe; each call allocates its own scratch memory.
public typealias InferenceStep = @Sendable (Tensor) -> Tensor

/// Layers whose input gradient can be skipped (the first layer of a network).
public protocol InputGradientOptional: Layer {
    var needsInputGradient: Bool { get set }
}
