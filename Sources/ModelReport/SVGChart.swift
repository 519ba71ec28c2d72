import Foundation

/// Minimal inline-SVG charts for the training report: no scripts, no fonts
/// beyond the page's own, so the page opens offline. Legends and mark labels sit
/// above the plot area, never on the data.
enum SVGChart {
    typealias Series = (name: String, color: String, values: [Double])

    /// A labelled vertical line at an epoch; `style` is its CSS class.
    struct Mark {
        var epoch: Int, label: String, style: String
    }

    /// Axis ticks at steps of 1, 2 or 5 × 10^k covering lo…hi, so labels read 0.2, 0.4 and not 0.087, 0.233.
    struct Ticks {
        var values: [Double]
        var decimals: Int

        init(covering lo: Double, _ hi: Double, count: Int = 5, minStep: Double = 0) {
            // A flat series still needs a span to divide.
            let pad = hi > lo ? 0 : (lo == 0 ? 1 : abs(lo) * 0.1)
            let lo = lo - pad, hi = hi + pad
            let raw = max((hi - lo) / Double(count), minStep)
            let magnitude = pow(10, log10(raw).rounded(.down))
            let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * 0.999 }!
            values = stride(from: (lo / step).rounded(.down), through: (hi / step).rounded(.up), by: 1).map {
                $0 * step
            }
            decimals = max(0, Int(-log10(step).rounded(.down)))
        }

        var range: ClosedRange<Double> { values[0]...values[values.count - 1] }
        func label(_ v: Double) -> String { String(format: "%.\(decimals)f", v) }
    }

    /// A plot area in chart pixels and the linear maps from data into it.
    struct Plot {
        var left: Double, top: Double, right: Double, bottom: Double
        var xs: ClosedRange<Double>, ys: ClosedRange<Double>

        func x(_ v: Double) -> Double {
            let span = xs.upperBound - xs.lowerBound
            return left + (right - left) * (span == 0 ? 0.5 : (v - xs.lowerBound) / span)
        }
        func y(_ v: Double) -> Double {
            bottom - (bottom - top) * (v - ys.lowerBound) / (ys.upperBound - ys.lowerBound)
        }

        /// Horizontal grid lines with their values on the left.
        func yAxis(_ ticks: Ticks) -> Markup {
            .element(
                "g", ["class": "y-axis"],
                ticks.values.flatMap { v -> [Markup] in
                    [
                        .element("line", ["x1": left, "x2": right, "y1": y(v), "y2": y(v), "class": "grid"]),
                        .element(
                            "text", ["x": left - 4, "y": y(v) + 3.5, "class": "tick", "text-anchor": "end"],
                            [Markup(ticks.label(v))]),
                    ]
                })
        }
    }

    /// Rough width of 10 px text, for laying out legends and margins without measuring.
    static func textWidth(_ s: String) -> Double { Double(s.count) * 5.8 }

    /// The `<svg>` frame with the chart's title top left.
    static func chart(_ title: String, width: Double, height: Double, _ children: [Markup]) -> Markup {
        let size = "0 0 \(Markup.number(width)) \(Markup.number(height))"
        return .element(
            "svg",
            ["class": "chart", "viewBox": size, "width": width, "height": height, "role": "img", "aria-label": title],
            [.element("text", ["x": 8, "y": 16, "class": "title"], [Markup(title)])] + children)
    }

    /// Swatches and names in a row ending at `right`, in the chart's header, so no curve is hidden.
    static func legend(_ items: [(name: String, color: String, style: String)], right: Double) -> Markup {
        let widths = items.map { 16 + textWidth($0.name) + 12 }
        var x = right - widths.reduce(0, +)
        var parts: [Markup] = []
        for (item, w) in zip(items, widths) {
            parts.append(
                item.style == "bar"
                    ? .element("rect", ["x": x, "y": 8, "width": 10, "height": 10, "fill": item.color])
                    : .element("line", ["x1": x, "x2": x + 12, "y1": 13, "y2": 13, "class": item.style]))
            parts.append(.element("text", ["x": x + 16, "y": 17, "class": "tick"], [Markup(item.name)]))
            x += w
        }
        return .element("g", ["class": "legend"], parts)
    }

    /// Lines over epochs 1…n, with each mark a labelled vertical line; each mark's label has its own
    /// row above the plot so two close marks (fine-tune start, chosen epoch) do not overprint.
    static func lines(
        title: String, series: [Series], marks: [Mark], width: Double = 460, height: Double = 290
    ) -> Markup {
        let all = series.flatMap(\.values).filter(\.isFinite)
        guard let lo = all.min(), let hi = all.max(), let n = series.map(\.values.count).max(), n > 0 else {
            return ""
        }
        // The mark farthest from the middle takes the top row: labels point inwards, so no lower label
        // crosses a higher mark's line.
        let middle = Double(n + 1) / 2
        let marks = marks.filter { (1...n).contains($0.epoch) }
            .sorted { abs(Double($0.epoch) - middle) > abs(Double($1.epoch) - middle) }
        let ticks = Ticks(covering: lo, hi)
        let plot = Plot(
            left: 52, top: 30 + 14 * Double(marks.count), right: width - 14, bottom: height - 36,
            xs: 1...Double(n), ys: ticks.range)
        var parts = [
            legend(series.map { ($0.name, $0.color, "bar") }, right: plot.right), plot.yAxis(ticks),
        ]
        let epochTicks = Ticks(covering: 1, Double(n), count: 8, minStep: 1).values.filter(plot.xs.contains)
        for e in epochTicks {
            parts.append(
                .element(
                    "text", ["x": plot.x(e), "y": plot.bottom + 14, "class": "tick", "text-anchor": "middle"],
                    [Markup(String(Int(e)))]))
        }
        parts.append(
            .element(
                "text", ["x": (plot.left + plot.right) / 2, "y": height - 6, "class": "tick", "text-anchor": "middle"],
                ["epoch"]))
        for (k, mark) in marks.enumerated() {
            let x = plot.x(Double(mark.epoch)), row = plot.top - 4 - 14 * Double(marks.count - 1 - k)
            // Label on the left of a mark in the right half, or it runs off the chart.
            let right = Double(mark.epoch) > middle
            parts.append(.element("line", ["x1": x, "x2": x, "y1": row + 3, "y2": plot.bottom, "class": mark.style]))
            parts.append(
                .element(
                    "text",
                    ["x": x + (right ? -3 : 3), "y": row, "class": "tick", "text-anchor": right ? "end" : "start"],
                    [Markup(mark.label)]))
        }
        for s in series {
            let points = s.values.enumerated().filter { $0.element.isFinite }
                .map { "\(Markup.number(plot.x(Double($0.offset + 1)))),\(Markup.number(plot.y($0.element)))" }
            parts.append(
                .element(
                    "polyline",
                    [
                        "points": points.joined(separator: " "), "fill": "none", "stroke": s.color,
                        "stroke-width": 2, "class": "series",
                    ]))
        }
        return chart(title, width: width, height: height, parts)
    }

    /// Grouped vertical bars, one group per label, with an optional second label line per group
    /// (`notes`). `diagonal` names the line y = x drawn when the groups are equal bins of 0…yMax.
    static func bars(
        title: String, labels: [String], notes: [String] = [], series: [Series], yMax: Double? = nil,
        diagonal: String? = nil, width: Double = 900, height: Double = 280
    ) -> Markup {
        let ticks = Ticks(covering: 0, yMax ?? series.flatMap(\.values).max() ?? 1)
        let plot = Plot(
            left: 52, top: 30, right: width - 14, bottom: height - (notes.isEmpty ? 24 : 36),
            xs: 0...Double(labels.count), ys: ticks.range)
        let gw = plot.x(1) - plot.x(0), bw = gw * 0.8 / Double(series.count)
        var key = series.map { ($0.name, $0.color, "bar") }
        if let diagonal { key.append((diagonal, "", "diagonal")) }
        var parts = [legend(key, right: plot.right), plot.yAxis(ticks)]
        for (i, label) in labels.enumerated() {
            for (k, s) in series.enumerated() {
                let v = s.values[i], x = plot.x(Double(i)) + gw * 0.1 + bw * Double(k)
                parts.append(
                    .element(
                        "rect",
                        [
                            "x": x, "y": plot.y(v), "width": bw, "height": plot.y(0) - plot.y(v), "fill": s.color,
                            "class": "bar",
                        ],
                        [.element("title", [Markup("\(label) \(s.name): \(Markup.number(v))")])]))
            }
            for (line, text) in [label, i < notes.count ? notes[i] : ""].enumerated() where !text.isEmpty {
                parts.append(
                    .element(
                        "text",
                        [
                            "x": plot.x(Double(i) + 0.5), "y": plot.bottom + 14 + 12 * Double(line), "class": "tick",
                            "text-anchor": "middle",
                        ],
                        [Markup(text)]))
            }
        }
        if diagonal != nil, let yMax {
            parts.append(
                .element(
                    "line",
                    [
                        "x1": plot.left, "y1": plot.y(0), "x2": plot.right, "y2": plot.y(yMax), "class": "diagonal",
                    ]))
        }
        return chart(title, width: width, height: height, parts)
    }

    /// Light to dark blue for 0…1.
    static func shade(_ t: Double) -> String {
        let from = [247.0, 251, 255], to = [8.0, 48, 107]
        let c = zip(from, to).map { String(Int(($0 + ($1 - $0) * t).rounded())) }
        return "rgb(\(c.joined(separator: ",")))"
    }

    /// A confusion matrix (rows: true class, columns: predicted) with counts as text, shaded by each
    /// row's share so rows of any size compare. The shade follows √share so that 2–10 % confusions
    /// show beside 90 % diagonals; the scale beside the grid says so.
    /// `rows` names the rows when they are not the columns' classes (e.g. only the photo folders present).
    static func heatmap(
        title: String, labels: [String], rows: [String]? = nil, counts: [[Int]], cell: Double = 46,
        rowTitle: String = "true class"
    ) -> Markup {
        let rowLabels = rows ?? labels
        let side = cell * Double(labels.count), tall = cell * Double(rowLabels.count)
        let labelWidth = (labels + rowLabels).map(textWidth).max() ?? 0
        let left = 26 + labelWidth, top = 48.0
        // Column labels are rotated 45°, so they drop by about their width / √2.
        let bottom = top + tall + 12 + labelWidth * 0.71
        let scaleX = left + side + 20, width = scaleX + 50, height = bottom + 22
        var parts: [Markup] = [
            .element(
                "text", ["x": 8, "y": 32, "class": "tick"],
                [
                    "Shading: share of the true class (row-normalised, square-root scale). Numbers: image counts."
                ]),
            .element(
                "text",
                [
                    "x": 12, "y": top + tall / 2, "class": "tick", "text-anchor": "middle",
                    "transform": "rotate(-90 12 \(Markup.number(top + tall / 2)))",
                ],
                [Markup(rowTitle)]),
            .element(
                "text", ["x": left + side / 2, "y": height - 6, "class": "tick", "text-anchor": "middle"],
                ["predicted class"]),
        ]
        for (i, row) in counts.enumerated() {
            let total = max(1, row.reduce(0, +)), y = top + cell * Double(i)
            parts.append(
                .element(
                    "text", ["x": left - 6, "y": y + cell * 0.6, "class": "tick", "text-anchor": "end"],
                    [Markup(rowLabels[i])]))
            for (j, c) in row.enumerated() {
                let share = Double(c) / Double(total), t = share.squareRoot(), x = left + cell * Double(j)
                let tip =
                    "\(rows == nil ? "true" : rowTitle) \(rowLabels[i]), predicted \(labels[j]): \(c) "
                    + "(\(String(format: "%.1f", share * 100))%)"
                parts.append(
                    .element(
                        "rect",
                        ["x": x, "y": y, "width": cell - 1, "height": cell - 1, "fill": shade(t), "class": "cell"],
                        [.element("title", [Markup(tip)])]))
                parts.append(
                    .element(
                        "text",
                        [
                            "x": x + cell / 2, "y": y + cell * 0.6, "text-anchor": "middle",
                            "class": t > 0.6 ? "count on-dark" : "count",
                        ],
                        [Markup(String(c))]))
            }
        }
        for (j, label) in labels.enumerated() {
            let x = left + cell * (Double(j) + 0.5), y = top + tall + 10
            parts.append(
                .element(
                    "text",
                    [
                        "x": x, "y": y, "class": "tick", "text-anchor": "end",
                        "transform": "rotate(-45 \(Markup.number(x)) \(Markup.number(y)))",
                    ],
                    [Markup(label)]))
        }
        parts.append(.element("text", ["x": scaleX, "y": top - 10, "class": "tick"], ["% of row"]))
        let steps = 20
        for k in 0..<steps {
            let t = (Double(k) + 0.5) / Double(steps), h = tall / Double(steps)
            parts.append(
                .element(
                    "rect",
                    [
                        "x": scaleX, "y": top + tall - h * Double(k + 1), "width": 12, "height": h + 0.5,
                        "fill": shade(t), "class": "scale",
                    ]))
        }
        let scaleTicks = Ticks(covering: 0, 100)
        for v in scaleTicks.values {
            let y = top + tall * (1 - (v / 100).squareRoot())
            parts.append(.element("line", ["x1": scaleX + 12, "x2": scaleX + 15, "y1": y, "y2": y, "class": "axis"]))
            parts.append(
                .element(
                    "text", ["x": scaleX + 17, "y": y + 3.5, "class": "tick"],
                    [Markup(scaleTicks.label(v))]))
        }
        return chart(title, width: width, height: height, parts)
    }
}
