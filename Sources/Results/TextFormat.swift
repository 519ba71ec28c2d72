/// Number-to-text for every CSV row and log line, without Foundation's
/// `String(format:)`, which cost more than the rest of a row.
public enum TextFormat {
    /// `x` with `places` decimals, rounded half away from zero, as `%.Nf`
    /// prints the values a row holds (confidences, milliseconds).
    public static func fixed(_ x: Double, places: Int) -> String {
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
