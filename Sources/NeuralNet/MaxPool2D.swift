/// 2×2 max pooling, stride 2; an odd last row or column is dropped (floor),
/// as Keras and PyTorch do. Backward routes each gradient to its argmax.
public final class MaxPool2D: Layer {
    private var input: [Int] = []
    private var argmax: [Int32] = []  // flat input index of each output's maximum

    public init() {}

    public func outputShape(_ s: [Int]) -> [Int] { [s[0], s[1] / 2, s[2] / 2] }

    // x [N, C, H, W] → y [N, C, H/2, W/2]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training else { return Self.inference(x) }
        input = x.shape
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], oh = h / 2, ow = w / 2
        var y = Tensor(uninitialized: [n, c, oh, ow])
        if argmax.count != y.count { argmax = [Int32](repeating: 0, count: y.count) }
        x.data.withUnsafeBufferPointer { xp in
            y.data.withUnsafeMutableBufferPointer { yp in
                argmax.withUnsafeMutableBufferPointer { ap in
                    let xp = xp.baseAddress!, yp = SendablePointer(yp.baseAddress!)
                    let ap = UncheckedSendable(ap.baseAddress!)
                    Parallel.slices(n * c, minimum: 64) { _, planes in
                        for plane in planes {
                            let xi = plane * h * w, yi = plane * oh * ow
                            for oy in 0..<oh {
                                for ox in 0..<ow {
                                    // Selects, not branches (a branch per pixel mispredicted half the
                                    // time); ties go to the earliest of the four, as before.
                                    let i0 = xi + 2 * oy * w + 2 * ox
                                    let a = xp[i0], b = xp[i0 + 1], c = xp[i0 + w], d = xp[i0 + w + 1]
                                    let (top, t) = b > a ? (b, 1) : (a, 0)
                                    let (bottom, u) = d > c ? (d, w + 1) : (c, w)
                                    let (best, at) = bottom > top ? (bottom, u) : (top, t)
                                    yp.p[yi + oy * ow + ox] = best
                                    ap.value[yi + oy * ow + ox] = Int32(i0 + at)
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    public func frozen() -> InferenceStep { { MaxPool2D.inference($0) } }

    /// Without backward to serve, no argmax: the epilogue's pooling loop, plane by plane.
    static func inference(_ x: Tensor) -> Tensor {
        let c = x.shape[1], h = x.shape[2], w = x.shape[3], planes = x.shape[0] * c
        var y = Tensor(uninitialized: [x.shape[0], c, h / 2, w / 2])
        let pooling = Epilogue(poolingChannels: c)
        x.data.withUnsafeBufferPointer { xb in
            y.data.withUnsafeMutableBufferPointer { yb in
                let xp = xb.baseAddress!, yp = SendablePointer(yb.baseAddress!)
                Parallel.slices(planes, minimum: 64) { _, r in
                    for plane in r {
                        pooling.plane(plane % c, xp + plane * h * w, h, w, into: yp.p + plane * (h / 2) * (w / 2))
                    }
                }
            }
        }
        return y
    }

    // dy [N, C, H/2, W/2] → dx [N, C, H, W]: each gradient to its argmax. The
    // windows do not overlap, so every input gets at most one and the cores can share the work.
    public func backward(_ dy: Tensor) -> Tensor {
        var dx = Tensor(zeros: input)
        dy.data.withUnsafeBufferPointer { g in
            argmax.withUnsafeBufferPointer { a in
                dx.data.withUnsafeMutableBufferPointer { d in
                    let gp = g.baseAddress!, ap = a.baseAddress!, dp = SendablePointer(d.baseAddress!)
                    Parallel.slices(g.count, minimum: 1 << 14) { _, r in for i in r { dp.p[Int(ap[i])] = gp[i] } }
                }
            }
        }
        return dx
    }
}
