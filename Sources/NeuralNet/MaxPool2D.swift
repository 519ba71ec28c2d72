/// 2×2 max pooling, stride 2; an odd last row or column is dropped (floor),
/// as Keras and PyTorch do. Backward routes each gradient to its argmax.
public final class MaxPool2D: Layer {
    private var input: [Int] = []
    private var argmax: [Int32] = []   // flat input index of each output's maximum

    public init() {}

    public func outputShape(_ s: [Int]) -> [Int] { [s[0], s[1] / 2, s[2] / 2] }

    // x [N, C, H, W] → y [N, C, H/2, W/2]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x.shape
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], oh = h / 2, ow = w / 2
        var y = Tensor(uninitialized: [n, c, oh, ow])
        if !training { return inference(x, into: y) }
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
                        let i0 = xi + 2 * oy * w + 2 * ox
                        var best = i0
                        if xp[i0 + 1] > xp[best] { best = i0 + 1 }
                        if xp[i0 + w] > xp[best] { best = i0 + w }
                        if xp[i0 + w + 1] > xp[best] { best = i0 + w + 1 }
                        yp.p[yi + oy * ow + ox] = xp[best]
                        ap.value[yi + oy * ow + ox] = Int32(best)
                    }
                }
            }
            }
        }}}
        return y
    }

    /// Without backward to serve, no argmax: the epilogue's pooling loop, plane by plane.
    private func inference(_ x: Tensor, into y: Tensor) -> Tensor {
        var y = y
        let c = x.shape[1], h = x.shape[2], w = x.shape[3], planes = x.shape[0] * c
        let pooling = Epilogue(poolingChannels: c)
        x.data.withUnsafeBufferPointer { xb in
        y.data.withUnsafeMutableBufferPointer { yb in
            let xp = xb.baseAddress!, yp = SendablePointer(yb.baseAddress!)
            Parallel.slices(planes, minimum: 64) { _, r in
                for plane in r { pooling.plane(plane % c, xp + plane * h * w, h, w, into: yp.p + plane * (h / 2) * (w / 2)) }
            }
        }}
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        var dx = Tensor(zeros: input)
        dx.data.withUnsafeMutableBufferPointer { dxp in
            for (i, a) in argmax.enumerated() { dxp[Int(a)] += dy.data[i] }
        }
        return dx
    }
}
