/// One float channel of an image, for resampling and filtering.
struct Plane {
    var width: Int
    var height: Int
    var values: [Float]

    static func rgb(_ image: Image) -> [Plane] {
        let n = image.width * image.height
        var r = [Float](repeating: 0, count: n), g = r, b = r
        image.rgb.withUnsafeBufferPointer { px in
            for i in 0..<n { r[i] = Float(px[3 * i]); g[i] = Float(px[3 * i + 1]); b[i] = Float(px[3 * i + 2]) }
        }
        return [r, g, b].map { Plane(width: image.width, height: image.height, values: $0) }
    }

    /// Area-resamples interleaved 8-bit RGB straight into three float planes,
    /// so a large photo never becomes three full-size float planes.
    static func rgb(_ image: Image, width w: Int, height h: Int) -> [Plane] {
        let W = image.width, H = image.height
        let cols = Taps(from: W, to: w), rows = Taps(from: H, to: h)
        var tmp = [[Float]](repeating: [Float](repeating: 0, count: H * w), count: 3)
        image.rgb.withUnsafeBufferPointer { px in
            for y in 0..<H {
                let line = px.baseAddress! + 3 * y * W
                for x in 0..<w {
                    var r: Float = 0, g: Float = 0, b: Float = 0
                    for t in cols.range(x) {
                        let i = cols.index[t], wt = cols.weight[t]
                        r += Float(line[3 * i]) * wt; g += Float(line[3 * i + 1]) * wt; b += Float(line[3 * i + 2]) * wt
                    }
                    tmp[0][y * w + x] = r; tmp[1][y * w + x] = g; tmp[2][y * w + x] = b
                }
            }
        }
        return tmp.map { Plane(width: w, height: h, values: rows.resample(columnsOf: $0, width: w)) }
    }

    func cropped(_ box: (x: Int, y: Int, width: Int, height: Int)) -> Plane {
        var v = [Float](); v.reserveCapacity(box.width * box.height)
        for y in box.y..<box.y + box.height { v += values[(y * width + box.x)..<(y * width + box.x + box.width)] }
        return Plane(width: box.width, height: box.height, values: v)
    }

    /// Area (box) resampling: each output pixel averages the input area it
    /// covers, with fractional edge weights; used for both shrinking and growing.
    func resized(width w: Int, height h: Int) -> Plane {
        Plane.resized([self], width: w, height: h)[0]
    }

    /// Planes of one size resized alike, sharing one tap table per axis.
    static func resized(_ planes: [Plane], width w: Int, height h: Int) -> [Plane] {
        guard let first = planes.first, w != first.width || h != first.height else { return planes }
        let cols = Taps(from: first.width, to: w), rows = Taps(from: first.height, to: h)
        return planes.map { p in
            var tmp = [Float](repeating: 0, count: p.height * w)
            p.values.withUnsafeBufferPointer { v in
                for y in 0..<p.height {
                    let line = v.baseAddress! + y * p.width
                    for x in 0..<w {
                        var s: Float = 0
                        for t in cols.range(x) { s += line[cols.index[t]] * cols.weight[t] }
                        tmp[y * w + x] = s
                    }
                }
            }
            return Plane(width: w, height: h, values: rows.resample(columnsOf: tmp, width: w))
        }
    }

    /// For each output index, the input indices and weights (summing to 1) it
    /// covers, flat: output j's taps are `range(j)` of `index` and `weight`.
    struct Taps {
        var start: [Int] = [0], index: [Int] = [], weight: [Float] = []

        init(from n: Int, to m: Int) {
            let ratio = Double(n) / Double(m)
            for j in 0..<m {
                let lo = Double(j) * ratio, hi = Double(j + 1) * ratio
                var i = Int(lo)
                while Double(i) < hi && i < n {
                    let overlap = min(hi, Double(i + 1)) - max(lo, Double(i))
                    if overlap > 1e-9 { index.append(i); weight.append(Float(overlap / ratio)) }
                    i += 1
                }
                start.append(index.count)
            }
        }

        @inline(__always) func range(_ j: Int) -> Range<Int> { start[j]..<start[j + 1] }

        /// The row pass: output row y = Σ taps of input rows of `src` [·, width].
        func resample(columnsOf src: [Float], width w: Int) -> [Float] {
            var out = [Float](repeating: 0, count: (start.count - 1) * w)
            for y in 0..<start.count - 1 {
                for t in range(y) {
                    let i = index[t], wt = weight[t]
                    for x in 0..<w { out[y * w + x] += src[i * w + x] * wt }
                }
            }
            return out
        }
    }

    /// Unsharp mask: v + amount·(v − gaussian(v)), σ = 1, edges replicated, clipped to [0, 255].
    func unsharp(amount: Float = 1) -> Plane {
        let k: [Float] = [0.05449, 0.24420, 0.40262, 0.24420, 0.05449]
        func at(_ x: Int, _ y: Int, _ v: [Float]) -> Float {
            v[min(max(y, 0), height - 1) * width + min(max(x, 0), width - 1)]
        }
        var tmp = values, blur = values
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for t in -2...2 { s += k[t + 2] * at(x + t, y, values) }
                tmp[y * width + x] = s
            }
        }
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for t in -2...2 { s += k[t + 2] * at(x, y + t, tmp) }
                blur[y * width + x] = s
            }
        }
        return Plane(
            width: width, height: height, values: zip(values, blur).map { min(max($0 + amount * ($0 - $1), 0), 255) })
    }
}
