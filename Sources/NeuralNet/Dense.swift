/// Fully connected layer, y = x·Wᵀ + b, with PyTorch's `weight [out, in]`.
public final class Dense: Layer, InputGradientOptional, EpilogueFusable {
    public let inFeatures: Int, outFeatures: Int
    public let weight: Parameter, bias: Parameter
    public var needsInputGradient = true
    private var x = Tensor(zeros: [0])  // [N, in] of the last training forward

    /// `random: false` leaves the weights zero, for a checkpoint to fill.
    public init(name: String, inFeatures: Int, outFeatures: Int, rng: inout RNG, random: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = .heWeight(
            "\(name).weight", shape: [outFeatures, inFeatures], fanIn: inFeatures, rng: &rng, random: random)
        bias = Parameter("\(name).bias", Tensor(zeros: [outFeatures]))
    }

    public var parameters: [Parameter] { [weight, bias] }
    public func outputShape(_ s: [Int]) -> [Int] { [outFeatures] }

    // x [N, in] → y [N, out]; inference packs the weights on every call (`frozen()` packs once).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training else { return frozen()(x) }
        self.x = x
        return weight.value.data.withUnsafeBufferPointer {
            Self.product(x, $0.baseAddress!, inFeatures, outFeatures, reduced: nil, Epilogue(bias: bias))
        }
    }

    public var canPool: Bool { false }

    public func frozen(_ epilogue: Epilogue) -> InferenceStep {
        let inference = Inference(
            inFeatures: inFeatures, outFeatures: outFeatures, weights: weight.value.data,
            epilogue)
        return { inference($0) }
    }

    // x [N, in] → y [N, out] = epilogue(x·Wᵀ), W [out, in]. Training keeps float32; with
    // `reduced` (W in bfloat16) inference rounds the products of larger batches.
    static func product(
        _ x: Tensor, _ wp: UnsafePointer<Float>, _ fi: Int, _ fo: Int, reduced: BFloat16.PackedA?,
        _ epilogue: Epilogue
    ) -> Tensor {
        let n = x.shape[0]
        var y = Tensor(uninitialized: [n, fo])
        x.data.withUnsafeBufferPointer { xb in
            y.data.withUnsafeMutableBufferPointer { yb in
                let xp = xb.baseAddress!, yp = SendablePointer(yb.baseAddress!)
                if n < 4 {
                    // A few rows: dot products over W's contiguous rows beat packing all of
                    // Wᵀ; on one core, as for a lone image's convolutions (Conv2D).
                    for i in 0..<n { for o in 0..<fo { yp.p[i * fo + o] = Vector.dot(wp + o * fi, xp + i * fi, fi) } }
                } else if let reduced {
                    // Yᵀ [out, rows] = W · Xᵀ, the weights packed once; then back to rows.
                    Parallel.slices(n, minimum: 32) { _, r in
                        let yt = UnsafeMutablePointer<Float>.allocate(capacity: fo * r.count)
                        let scratch = UnsafeMutablePointer<UInt16>.allocate(
                            capacity: BFloat16.scratchCount(k: fi, n: r.count))
                        defer { yt.deallocate(); scratch.deallocate() }
                        BFloat16.multiply(
                            reduced, n: r.count, xp + r.lowerBound * fi, ldb: fi, transposed: true,
                            yt, ldc: r.count, scratch: scratch)
                        for (i, row) in r.enumerated() { for o in 0..<fo { yp.p[row * fo + o] = yt[o * r.count + i] } }
                    }
                } else {
                    Parallel.slices(n, minimum: 32) { _, r in
                        GEMM.multiply(
                            m: r.count, n: fo, k: fi, .rows(xp + r.lowerBound * fi, columns: fi),
                            .transposed(wp, columns: fi), yp.p + r.lowerBound * fo, ldc: fo, accumulate: false)
                    }
                }
                for i in 0..<n { epilogue.row(yp.p + i * fo, fo) }
            }
        }
        return y
    }

    // dy [N, out] → dx [N, in]; dW += dyᵀ·x, db += Σ dy
    public func backward(_ dy: Tensor) -> Tensor {
        let n = dy.shape[0], fi = inFeatures, fo = outFeatures
        var dx = Tensor(zeros: needsInputGradient ? [n, fi] : [0])
        let needDx = needsInputGradient
        dy.data.withUnsafeBufferPointer { db in
            x.data.withUnsafeBufferPointer { xb in
                weight.value.data.withUnsafeBufferPointer { wb in
                    dx.data.withUnsafeMutableBufferPointer { dxb in
                        let dyp = db.baseAddress!, xp = xb.baseAddress!, wp = wb.baseAddress!
                        let dxp = needDx ? SendablePointer(dxb.baseAddress!) : nil
                        Parallel.accumulating(n, minimum: 32, into: [weight, bias]) { r, grads in
                            let d = dyp + r.lowerBound * fo
                            GEMM.multiply(
                                m: fo, n: fi, k: r.count, .transposed(d, columns: fo),
                                .rows(xp + r.lowerBound * fi, columns: fi), grads[0], ldc: fi, accumulate: true)
                            for i in 0..<r.count { for j in 0..<fo { grads[1][j] += d[i * fo + j] } }
                            if let dxp {
                                GEMM.multiply(
                                    m: r.count, n: fi, k: fo, .rows(d, columns: fo), .rows(wp, columns: fi),
                                    dxp.p + r.lowerBound * fi, ldc: fi, accumulate: false)
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}

extension Dense {
    /// The layer at inference: its weights copied, and packed in bfloat16 where that is on.
    struct Inference: Sendable {
        let inFeatures: Int, outFeatures: Int
        /// W [out, in], for a few rows' dot products and for float32 products.
        let weights: [Float]
        let reduced: BFloat16.PackedA?
        let epilogue: Epilogue

        init(inFeatures: Int, outFeatures: Int, weights: [Float], _ epilogue: Epilogue) {
            self.inFeatures = inFeatures
            self.outFeatures = outFeatures
            self.weights = weights
            self.epilogue = epilogue
            reduced =
                !BFloat16.enabled
                ? nil
                : weights.withUnsafeBufferPointer {
                    BFloat16.PackedA(m: outFeatures, k: inFeatures, rows: $0.baseAddress!, lda: inFeatures)
                }
        }

        // x [N, in] → y [N, out]
        func callAsFunction(_ x: Tensor) -> Tensor {
            weights.withUnsafeBufferPointer {
                Dense.product(x, $0.baseAddress!, inFeatures, outFeatures, reduced: reduced, epilogue)
            }
        }
    }
}
