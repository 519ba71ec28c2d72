/// One float channel of an image, for resampling and filtering.
struct Plane {
    var width: Int
    var height: Int
    var values: [Float]

    static func rgb(_ image: Image) -> [Plane] {
        (0..<3).map { c in
            Plane(width: image.width, height: image.height,
                  values: (0..<image.width * image.height).map { Float(image.rgb[3 * $0 + c]) })
        }
    }

    /// Area-resamples interleaved 8-bit RGB straight into three float planes,
    /// so a large photo never becomes three full-size float planes.
    static func rgb(_ image: Image, width w: Int, height h: Int) -> [Plane] {
        let W = image.width, H = image.height
        let cols = weights(from: W, to: w), rows = weights(from: H, to: h)
        var tmp = [[Float]](repeating: [Float](repeating: 0, count: H * w), count: 3)
        image.rgb.withUnsafeBufferPointer { px in
            for y in 0..<H {
                let line = px.baseAddress! + 3 * y * W
                for (x, taps) in cols.enumerated() {
                    var r: Float = 0, g: Float = 0, b: Float = 0
                    for (i, wt) in taps { r += Float(line[3 * i]) * wt; g += Float(line[3 * i + 1]) * wt; b += Float(line[3 * i + 2]) * wt }
                    tmp[0][y * w + x] = r; tmp[1][y * w + x] = g; tmp[2][y * w + x] = b
                }
            }
        }
        return tmp.map { t in
            var out = [Float](repeating: 0, count: h * w)
            for (y, taps) in rows.enumerated() {
                for (i, wt) in taps { for x in 0..<w { out[y * w + x] += t[i * w + x] * wt } }
            }
            return Plane(width: w, height: h, values: out)
        }
    }

    func cropped(_ box: (x: Int, y: Int, width: Int, height: Int)) -> Plane {
        var v = [Float](); v.reserveCapacity(box.width * box.height)
        for y in box.y..<box.y + box.height { v += values[(y * width + box.x)..<(y * width + box.x + box.width)] }
        return Plane(width: box.width, height: box.height, values: v)
    }

    /// Area (box) resampling: each output pixel averages the input area it
    /// covers, with fractional edge weights; used for both shrinking and growing.
    func resized(width w: Int, height h: Int) -> Plane {
        if w == width && h == height { return self }
        let rows = Plane.weights(from: height, to: h), cols = Plane.weights(from: width, to: w)
        var tmp = [Float](repeating: 0, count: height * w)
        for y in 0..<height {
            for (x, taps) in cols.enumerated() {
                var s: Float = 0
                for (i, wt) in taps { s += values[y * width + i] * wt }
                tmp[y * w + x] = s
            }
        }
        var out = [Float](repeating: 0, count: h * w)
        for (y, taps) in rows.enumerated() {
            for (i, wt) in taps { for x in 0..<w { out[y * w + x] += tmp[i * w + x] * wt } }
        }
        return Plane(width: w, height: h, values: out)
    }

    /// For each output index, the input indices and weights (summing to 1) it covers.
    static func weights(from n: Int, to m: Int) -> [[(Int, Float)]] {
        let ratio = Double(n) / Double(m)
        return (0..<m).map { j in
            let lo = Double(j) * ratio, hi = Double(j + 1) * ratio
            var taps: [(Int, Float)] = []
            var i = Int(lo)
            while Double(i) < hi && i < n {
                let overlap = min(hi, Double(i + 1)) - max(lo, Double(i))
                if overlap > 1e-9 { taps.append((i, Float(overlap / ratio))) }
                i += 1
            }
            return taps
        }
    }

    /// Unsharp mask: v + amount·(v − gaussian(v)), σ = 1, edges replicated, clipped to [0, 255].
    func unsharp(amount: Float = 1) -> Plane {
        let k: [Float] = [0.05449, 0.24420, 0.40262, 0.24420, 0.05449]
        func at(_ x: Int, _ y: Int, _ v: [Float]) -> Float { v[min(max(y, 0), height - 1) * width + min(max(x, 0), width - 1)] }
        var tmp = values, blur = values
        for y in 0..<height { for x in 0..<width {
            var s: Float = 0
            for t in -2...2 { s += k[t + 2] * at(x + t, y, values) }
            tmp[y * width + x] = s
        }}
        for y in 0..<height { for x in 0..<width {
            var s: Float = 0
            for t in -2...2 { s += k[t + 2] * at(x, y + t, tmp) }
            blur[y * width + x] = s
        }}
        return Plane(width: width, height: height, values: zip(values, blur).map { min(max($0 + amount * ($0 - $1), 0), 255) })
    }
}
