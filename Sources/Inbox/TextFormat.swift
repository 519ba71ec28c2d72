/// Number-to-text for every CSV row and log line. Foundation's
/// `String(format:)` was 12% of the daemon's time in a burst (32 calls per
/// photo for the SHA-256 hex alone); these give the same text without it.
enum TextFormat {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of the bytes, as `%02x` each.
    static func hex<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `x` with `places` decimals, rounded half away from zero, as `%.Nf`
    /// prints the values a row holds (confidences, milliseconds).
    static func fixed(_ x: Double, places: Int) -> String {
        guard x.isFinite, abs(x) < 1e15 else { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let n = Int64((abs(x) * scale).rounded())
        let s = Int64(scale)
        var text = (x < 0 && n != 0 ? "-" : "") + String(n / s)
        guard places > 0 else { return text }
        let frac = String(n % s)
        text += "." + String(repeating: "0", count: places - frac.count) + frac
        return text
    }
}
