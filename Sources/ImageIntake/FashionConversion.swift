/// Turns a photo into a 28×28 model input the way Fashion-MNIST was made
/// (Xiao, Rasul & Vollgraf 2017, §2: trim, longest edge to 28, sharpen,
/// centre on 28×28, negate, grayscale), with the deviations that measurably
/// help on real phone photos (docs/DESIGN.md, "The conversion").
/// Output: 784 floats in [0, 1], garment bright on dark.
public enum FashionConversion {
    public static let side = 28
    /// Working size: the paper's thumbnails were 51×73.
    static let thumbnail = 73
    /// JPEG DCT scaling target: the smallest n/8 scale whose long side still
    /// reaches twice the output, as Pillow's `draft` does (DCT scaling averages
    /// like an area filter): as accurate as decoding to the thumbnail size and
    /// faster, since typical phone photos then decode at 1/8 (docs/BENCHMARKS.md).
    public static let decodeLongSide = 2 * side

    public static func convert(_ image: Image) -> [Float] {
        // Already Fashion-MNIST-like (28×28, dark background): use as is, since
        // re-trimming would crop the faint edges the dataset kept.
        if image.width == side && image.height == side {
            let g = image.gray
            if ring(g, side, side).median() < 128 { return g.map { min(max($0 / 255, 0), 1) } }
        }
        // 1. Thumbnail, longest edge 73 (area filter); small images stay as they are.
        let scale = Float(thumbnail) / Float(max(image.width, image.height))
        var rgb =
            scale < 1
            ? Plane.rgb(
                image, width: max(1, Int((Float(image.width) * scale).rounded())),
                height: max(1, Int((Float(image.height) * scale).rounded())))
            : Plane.rgb(image)

        // 2. Background colour: per-channel median of the outer 2-pixel ring, not
        // the paper's corner pixel (textured phone backgrounds: recall 0.26 → higher).
        let bg = rgb.map { ring($0.values, $0.width, $0.height).median() }

        // 3. Trim rows and columns where at most 1% of pixels are farther than
        // 25.5 (10% of full scale, RMS over RGB) from the background.
        let crop = trimBox(rgb, background: bg)
        rgb = rgb.map { $0.cropped(crop) }

        // 4. Longest edge to 28 (area filter), then grayscale (ITU-R 601).
        let f = Float(side) / Float(max(rgb[0].width, rgb[0].height))
        let w = max(1, min(side, Int((Float(rgb[0].width) * f).rounded())))
        let h = max(1, min(side, Int((Float(rgb[0].height) * f).rounded())))
        rgb = Plane.resized(rgb, width: w, height: h)
        var gray = Plane(
            width: w, height: h,
            values: (0..<w * h).map { i in
                0.299 * rgb[0].values[i] + 0.587 * rgb[1].values[i] + 0.114 * rgb[2].values[i]
            })
        let bgGray = 0.299 * bg[0] + 0.587 * bg[1] + 0.114 * bg[2]

        // 5. Sharpen: unsharp mask σ 1, amount 1 (the paper's adaptive sharpen
        // measured no better).
        gray = gray.unsharp()

        // 6. Centre on a 28×28 canvas filled with the background.
        var canvas = [Float](repeating: bgGray, count: side * side)
        let x0 = (side - w) / 2, y0 = (side - h) / 2
        for y in 0..<h { for x in 0..<w { canvas[(y0 + y) * side + x0 + x] = gray.values[y * w + x] } }

        // 7. Negate, unless the garment is already lighter than its background
        // (a Fashion-MNIST-like input), then stretch so the background maps to
        // 0 and the garment is bright: g = clip((g − bg) / max(255 − bg, 32), 0, 1).
        let foreground = gray.values.filter { abs($0 - bgGray) > 25.5 }
        let garment =
            foreground.isEmpty
            ? gray.values.reduce(0, +) / Float(gray.values.count)
            : foreground.reduce(0, +) / Float(foreground.count)
        let negate = garment <= bgGray
        let b = negate ? 255 - bgGray : bgGray
        let range = max(255 - b, 32)
        return canvas.map { v in
            let g = negate ? 255 - v : v
            return min(max((g - b) / range, 0), 1)
        }
    }

    /// Values of the outer 2-pixel ring of a plane.
    static func ring(_ v: [Float], _ w: Int, _ h: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(4 * (w + h))
        for y in 0..<h {
            if y < 2 || y >= h - 2 {
                out += v[y * w..<(y + 1) * w]
            } else {
                for x in 0..<min(2, w) { out.append(v[y * w + x]) }
                for x in max(min(2, w), w - 2)..<w { out.append(v[y * w + x]) }
            }
        }
        return out
    }

    /// The bounding box left after trimming near-background edges.
    static func trimBox(_ rgb: [Plane], background bg: [Float]) -> (x: Int, y: Int, width: Int, height: Int) {
        let w = rgb[0].width, h = rgb[0].height
        var fg = [Bool](repeating: false, count: w * h)
        for i in 0..<w * h {
            var d: Float = 0
            for c in 0..<3 { let e = rgb[c].values[i] - bg[c]; d += e * e }
            fg[i] = (d / 3).squareRoot() > 25.5
        }
        func rowBusy(_ y: Int) -> Bool { (0..<w).reduce(0) { $0 + (fg[y * w + $1] ? 1 : 0) } > w / 100 }
        func colBusy(_ x: Int, _ y0: Int, _ y1: Int) -> Bool {
            (y0..<y1).reduce(0) { $0 + (fg[$1 * w + x] ? 1 : 0) } > (y1 - y0) / 100
        }
        var top = 0, bottom = h
        while top < bottom - 1 && !rowBusy(top) { top += 1 }
        while bottom - 1 > top && !rowBusy(bottom - 1) { bottom -= 1 }
        var left = 0, right = w
        while left < right - 1 && !colBusy(left, top, bottom) { left += 1 }
        while right - 1 > left && !colBusy(right - 1, top, bottom) { right -= 1 }
        // Nothing stands out: keep the whole frame rather than a sliver.
        if bottom - top < 2 || right - left < 2 { return (0, 0, w, h) }
        return (left, top, right - left, bottom - top)
    }
}

extension Array where Element == Float {
    /// The element a sort would put at `count / 2`, found by quickselect
    /// (sorting the ring was 5% of classifying a phone photo).
    func median() -> Float {
        guard !isEmpty else { return 0 }
        var v = self, lo = 0, hi = count - 1
        let k = count / 2
        while lo < hi {
            let pivot = v[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { break }
        }
        return v[k]
    }
}

extension FashionConversion {
    /// What a quick script does (and the reference analysis measured): gray,
    /// squash to 28×28, invert. Kept only as the baseline to compare against.
    public static func naive(_ image: Image) -> [Float] {
        let g = Plane(width: image.width, height: image.height, values: image.gray).resized(width: side, height: side)
        return g.values.map { 1 - min(max($0 / 255, 0), 1) }
    }
}
