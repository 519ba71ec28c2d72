import Foundation

/// Minimal inline-SVG charts for the training report: no scripts, no fonts
/// beyond the page's own, so the page opens offline.
enum SVGChart {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
    }

    static func format1(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10; return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// Lines over x = 1…n with axes, a legend and an optional marked x.
    static func lines(
        title: String, series: [(name: String, color: String, values: [Double])], mark: Int?,
        width: Double = 460, height: Double = 260
    ) -> String {
        let all = series.flatMap(\.values).filter(\.isFinite)
        guard let lo0 = all.min(), let hi0 = all.max(), let n = series.map(\.values.count).max(), n > 0 else {
            return ""
        }
        let pad = (hi0 - lo0) * 0.08 + 1e-9, lo = lo0 - pad, hi = hi0 + pad
        let l = 48.0, r = 12.0, t = 28.0, b = 32.0
        func x(_ i: Int) -> Double { l + (width - l - r) * (n == 1 ? 0.5 : Double(i) / Double(n - 1)) }
        func y(_ v: Double) -> Double { t + (height - t - b) * (1 - (v - lo) / (hi - lo)) }
        var s =
            "<svg class=\"chart\" viewBox=\"0 0 \(format1(width)) \(format1(height))\" width=\"\(format1(width))\" height=\"\(format1(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        s += "<text x=\"\(format1(l))\" y=\"16\" class=\"title\">\(escape(title))</text>"
        for k in 0...4 {
            let v = lo + (hi - lo) * Double(k) / 4
            s +=
                "<line x1=\"\(format1(l))\" x2=\"\(format1(width - r))\" y1=\"\(format1(y(v)))\" y2=\"\(format1(y(v)))\" class=\"grid\"/>"
            s +=
                "<text x=\"\(format1(l - 4))\" y=\"\(format1(y(v) + 4))\" class=\"tick\" text-anchor=\"end\">\(String(format3(v)))</text>"
        }
        for i in 0..<n where n <= 12 || i % max(1, n / 8) == 0 || i == n - 1 {
            s +=
                "<text x=\"\(format1(x(i)))\" y=\"\(format1(height - 14))\" class=\"tick\" text-anchor=\"middle\">\(i + 1)</text>"
        }
        s +=
            "<text x=\"\(format1((l + width - r) / 2))\" y=\"\(format1(height - 2))\" class=\"tick\" text-anchor=\"middle\">epoch</text>"
        if let mark, mark >= 1, mark <= n {
            s +=
                "<line x1=\"\(format1(x(mark - 1)))\" x2=\"\(format1(x(mark - 1)))\" y1=\"\(format1(t))\" y2=\"\(format1(height - b))\" class=\"mark\"/>"
            // Label on the left of a mark in the right half, or it runs off the chart.
            let right = 2 * mark > n
            s +=
                "<text x=\"\(format1(x(mark - 1) + (right ? -4 : 4)))\" y=\"\(format1(height - b - 6))\" class=\"tick\"\(right ? " text-anchor=\"end\"" : "")>chosen epoch \(mark)</text>"
        }
        for (k, ser) in series.enumerated() {
            let pts = ser.values.enumerated().map { "\(format1(x($0.offset))),\(format1(y($0.element)))" }.joined(
                separator: " ")
            s +=
                "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(ser.color)\" stroke-width=\"2\" class=\"series\"/>"
            s +=
                "<rect x=\"\(format1(width - r - 120))\" y=\"\(format1(t + 4 + Double(k) * 14))\" width=\"10\" height=\"10\" fill=\"\(ser.color)\"/>"
            s +=
                "<text x=\"\(format1(width - r - 106))\" y=\"\(format1(t + 13 + Double(k) * 14))\" class=\"tick\">\(escape(ser.name))</text>"
        }
        return s + "</svg>"
    }

    /// Grouped vertical bars, one group per label.
    static func bars(
        title: String, labels: [String], series: [(name: String, color: String, values: [Double])],
        width: Double = 620, height: Double = 260
    ) -> String {
        let hi = (series.flatMap(\.values).max() ?? 1) * 1.1
        let l = 48.0, r = 12.0, t = 28.0, b = 50.0
        let gw = (width - l - r) / Double(labels.count), bw = gw * 0.8 / Double(series.count)
        func y(_ v: Double) -> Double { t + (height - t - b) * (1 - v / hi) }
        var s =
            "<svg class=\"chart\" viewBox=\"0 0 \(format1(width)) \(format1(height))\" width=\"\(format1(width))\" height=\"\(format1(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        s += "<text x=\"\(format1(l))\" y=\"16\" class=\"title\">\(escape(title))</text>"
        for k in 0...4 {
            let v = hi * Double(k) / 4
            s +=
                "<line x1=\"\(format1(l))\" x2=\"\(format1(width - r))\" y1=\"\(format1(y(v)))\" y2=\"\(format1(y(v)))\" class=\"grid\"/>"
            s +=
                "<text x=\"\(format1(l - 4))\" y=\"\(format1(y(v) + 4))\" class=\"tick\" text-anchor=\"end\">\(Int(v))</text>"
        }
        for (i, label) in labels.enumerated() {
            for (k, ser) in series.enumerated() {
                let x0 = l + gw * Double(i) + gw * 0.1 + bw * Double(k), v = ser.values[i]
                s +=
                    "<rect x=\"\(format1(x0))\" y=\"\(format1(y(v)))\" width=\"\(format1(bw))\" height=\"\(format1(y(0) - y(v)))\" fill=\"\(ser.color)\" class=\"bar\"><title>\(escape(label)) \(escape(ser.name)): \(Int(v))</title></rect>"
            }
            s +=
                "<text x=\"\(format1(l + gw * (Double(i) + 0.5)))\" y=\"\(format1(height - b + 14))\" class=\"tick\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        for (k, ser) in series.enumerated() {
            s +=
                "<rect x=\"\(format1(l + Double(k) * 90))\" y=\"\(format1(height - 18))\" width=\"10\" height=\"10\" fill=\"\(ser.color)\"/>"
            s +=
                "<text x=\"\(format1(l + Double(k) * 90 + 14))\" y=\"\(format1(height - 9))\" class=\"tick\">\(escape(ser.name))</text>"
        }
        return s + "</svg>"
    }

    /// A 10×10 heatmap with counts (rows: true class, columns: predicted).
    static func heatmap(title: String, labels: [String], counts: [[Int]], cell: Double = 46) -> String {
        let l = 96.0, t = 40.0, n = Double(labels.count)
        let width = l + cell * n + 10, height = t + cell * n + 90
        let rowTotals = counts.map { max(1, $0.reduce(0, +)) }
        var s =
            "<svg class=\"chart\" viewBox=\"0 0 \(format1(width)) \(format1(height))\" width=\"\(format1(width))\" height=\"\(format1(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        s += "<text x=\"\(format1(l))\" y=\"16\" class=\"title\">\(escape(title))</text>"
        for (i, row) in counts.enumerated() {
            s +=
                "<text x=\"\(format1(l - 6))\" y=\"\(format1(t + cell * (Double(i) + 0.6)))\" class=\"tick\" text-anchor=\"end\">\(escape(labels[i]))</text>"
            for (j, c) in row.enumerated() {
                let share = Double(c) / Double(rowTotals[i])
                let color =
                    i == j
                    ? "rgba(46,125,50,\(format3(0.15 + 0.85 * share)))"
                    : "rgba(198,40,40,\(format3(min(1, 0.05 + 4 * share))))"
                s +=
                    "<rect x=\"\(format1(l + cell * Double(j)))\" y=\"\(format1(t + cell * Double(i)))\" width=\"\(format1(cell - 1))\" height=\"\(format1(cell - 1))\" fill=\"\(color)\" class=\"cell\"><title>true \(escape(labels[i])), predicted \(escape(labels[j])): \(c)</title></rect>"
                s +=
                    "<text x=\"\(format1(l + cell * (Double(j) + 0.5)))\" y=\"\(format1(t + cell * (Double(i) + 0.6)))\" class=\"count\" text-anchor=\"middle\">\(c)</text>"
            }
        }
        for (j, label) in labels.enumerated() {
            let x = l + cell * (Double(j) + 0.5), y = t + cell * n + 8
            s +=
                "<text x=\"\(format1(x))\" y=\"\(format1(y))\" class=\"tick\" text-anchor=\"end\" transform=\"rotate(-45 \(format1(x)) \(format1(y)))\">\(escape(label))</text>"
        }
        return s + "</svg>"
    }

    static func format3(_ v: Double) -> String { let r = (v * 1000).rounded() / 1000; return String(r) }
}
