import Testing
@testable import NeuralNet

/// Compares a layer's backward pass with central finite differences of
/// L = Σ forward(x)·r for a fixed random r, on the input and every parameter.
func checkGradients(
    _ layer: Layer, input shape: [Int], training: Bool = true, seed: UInt64 = 1,
    tolerance: Float = 2e-2
) {
    var rng = RNG(seed: seed)
    let x = Tensor(
        shape: shape,
        data: (0..<shape.reduce(1, *)).map { _ in
            // Keep inputs off ReLU's kink so a ±h step never crosses it.
            let v = rng.normal(); return abs(v) < 0.05 ? v + (v < 0 ? -0.05 : 0.05) : v
        })
    let y = layer.forward(x, training: training)
    let r = Tensor(shape: y.shape, data: (0..<y.count).map { _ in rng.normal() })
    for p in layer.parameters { p.zeroGrad() }
    let dx = layer.backward(r)

    func loss(_ input: Tensor) -> Double {
        let out = layer.forward(input, training: training)
        return zip(out.data, r.data).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    let h: Float = 1e-2
    func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
        let err = abs(Double(analytic) - numeric) / max(1, abs(numeric))
        #expect(err < Double(tolerance), "\(what): analytic \(analytic) numeric \(numeric)")
    }
    // Input gradient, on a sample of positions.
    if dx.count == x.count {
        for i in stride(from: 0, to: x.count, by: max(1, x.count / 40)) {
            var plus = x, minus = x
            plus.data[i] += h; minus.data[i] -= h
            compare(dx.data[i], (loss(plus) - loss(minus)) / Double(2 * h), "dx[\(i)]")
        }
    }
    for p in layer.parameters {
        let grad = p.grad
        for i in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 25)) {
            let old = p.value.data[i]
            p.value.data[i] = old + h; let lp = loss(x)
            p.value.data[i] = old - h; let lm = loss(x)
            p.value.data[i] = old
            compare(grad.data[i], (lp - lm) / Double(2 * h), "\(p.name)[\(i)]")
        }
    }
}

/// Compares a loss's analytic gradient dL/dlogits with central finite differences, every logit.
func checkLossGradient(
    _ loss: (Tensor) -> SoftCrossEntropy.Result, at logits: Tensor, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let g = loss(logits).gradient
    let h: Float = 1e-2
    for i in 0..<logits.count {
        var plus = logits, minus = logits
        plus.data[i] += h
        minus.data[i] -= h
        let numeric = Double(loss(plus).loss - loss(minus).loss) / Double(2 * h)
        #expect(
            abs(Double(g.data[i]) - numeric) < 2e-3, "\(what)logit \(i): \(g.data[i]) vs \(numeric)",
            sourceLocation: sourceLocation)
    }
}
