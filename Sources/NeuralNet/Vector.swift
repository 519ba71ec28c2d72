/// Small vector kernels with explicit SIMD accumulators: Swift does not
/// reorder float additions, so a plain reduction loop would not vectorise.
enum Vector {
    @inline(__always) static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(), i = 0
        let raw = UnsafeRawPointer(x)
        while i + 8 <= n { acc += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self); i += 8 }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    @inline(__always) static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int, minus mu: Float) -> Float {
        var acc = SIMD8<Float>(), i = 0
        let raw = UnsafeRawPointer(x), m = SIMD8<Float>(repeating: mu)
        while i + 8 <= n {
            let d = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) - m; acc += d * d; i += 8
        }
        var s = acc.sum()
        while i < n { let d = x[i] - mu; s += d * d; i += 1 }
        return s
    }

    @inline(__always) static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(), i = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        while i + 8 <= n {
            acc +=
                rx.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// y = x·scale + shift
    @inline(__always) static func affine(
        _ x: UnsafePointer<Float>, _ n: Int, scale: Float, shift: Float,
        into y: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<n { y[i] = x[i] * scale + shift }
    }

    /// Copies a short run (a row of a small feature map) inline; `memmove`'s
    /// call cost more than copying 11–28 floats.
    @inline(__always) static func copy(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        let from = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 <= n {
            to.storeBytes(
                of: from.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), toByteOffset: 4 * i,
                as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { dst[i] = src[i]; i += 1 }
    }
}
