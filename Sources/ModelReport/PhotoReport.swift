import FashionModel
import Training
import FileSystem
import Foundation
import ImageIntake
import ImageSynthesis

/// The report's sections on real photos: what the model learned from, how it
/// does on labelled photos and on photos of things in no class, what its
/// operating point holds back, and grids of the photos themselves.
struct PhotoReport {
    let model: Model
    let photos: PhotoEvaluation?
    /// Photos each grid shows at most.
    static let gridSize = 18

    func sections() throws -> [Markup] {
        var out = [learnedFrom()]
        guard let photos else { return out }
        out.append(folders(photos))
        out.append(heldBack(photos))
        let point = model.decision
        let right = photos.photos.filter { $0.prediction.best.label == $0.label }
        func held(_ p: PhotoEvaluation.Photo) -> Bool { point.disposition(p.prediction) != .classified }
        let grids: [(String, String, [PhotoEvaluation.Photo], String)] = [
            ("photos-right", "Photos given the right class", Self.spread(right), "a few from each folder"),
            ("photos-wrong", "Photos given a wrong class", Self.spread(photos.wrong), "a few from each folder"),
            ("photos-other", "Outliers held back", photos.outliers.filter(held), "in file order"),
            (
                "photos-missed", "Outliers filed into a class folder", photos.outliers.filter { !held($0) },
                "in file order"
            ),
        ]
        for (id, title, group, order) in grids where !group.isEmpty {
            let shown = Array(group.prefix(Self.gridSize))
            var figures: [Markup] = []
            for p in shown { figures.append(try figure(p, point: point)) }
            out.append(
                TrainingReport.grid(
                    id, title, class: "grid photos", figures,
                    note: "\(shown.count) of \(group.count), \(order) (not a ranked or random pick). "
                        + "Caption: folder / answer (confidence) → where the daemon would put it."))
        }
        return out
    }

    /// Photo counts per class (and outliers) the checkpoint says it was trained on.
    private func learnedFrom() -> Markup {
        guard let counts = model.training?.photos, !counts.isEmpty else {
            return TrainingReport.section(
                "photo-data", "Photos it learned from",
                [.element("p", ["class": "note"], ["This checkpoint does not record photos among its training data."])])
        }
        let labels = FashionClass.allCases.map(\.name) + ["none of these"]
        let values =
            FashionClass.allCases.map { Double(counts[$0.slug] ?? 0) }
            + [Double(counts[LabelledFolders.outlierFolder] ?? 0)]
        return TrainingReport.section(
            "photo-data", "Photos it learned from",
            [
                .element(
                    "p",
                    [
                        Markup(
                            "Real photos mixed into training, per class, before repeating; "
                                + "“none of these” are the outlier images it learned to hold back.")
                    ]),
                SVGChart.bars(
                    title: "Training photos per class", labels: labels, series: [("photos", "#6a1b9a", values)]),
            ])
    }

    private func folders(_ e: PhotoEvaluation) -> Markup {
        func f(_ v: Double) -> Markup { Markup(String(format: "%.3f", v)) }
        let header = Markup.element(
            "tr",
            ["folder", "photos", "recall", "precision", "most common wrong answer"].map { .element("th", [Markup($0)]) }
        )
        let rows = e.classes.map { c -> Markup in
            let s = e.evaluation.classes[c.rawValue]
            let answer = e.commonestWrongAnswer(c).map { "\($0.answer.name) (\($0.count))" } ?? "none"
            return .element(
                "tr",
                [Markup(c.slug), Markup("\(s.support)"), f(s.recall), f(s.precision), Markup(answer)].map {
                    .element("td", [$0])
                })
        }
        return TrainingReport.section(
            "photos", "Real photos",
            [
                .element(
                    "p", ["class": "headline"],
                    [
                        "Mean per-folder recall ", .element("b", [f(e.meanRecall)]),
                        Markup(
                            " over \(e.classes.count) folders of \(e.photos.count) labelled photos (a constant answer "
                                + "scores \(String(format: "%.3f", 1 / Double(max(1, e.classes.count))))); "
                                + "accuracy \(String(format: "%.3f", e.evaluation.accuracy)). "
                                + "Folders without photos are left out."),
                    ]),
                .element("table", [header] + rows),
                SVGChart.heatmap(
                    title: "Rows: photo folder · columns: predicted class", labels: FashionClass.allCases.map(\.name),
                    rows: e.classes.map(\.name), counts: e.classes.map { e.evaluation.confusion[$0.rawValue] },
                    rowTitle: "folder"),
            ])
    }

    private func heldBack(_ e: PhotoEvaluation) -> Markup {
        let point = model.decision, shares = e.shares(at: point), h = e.holdBack
        func pct(_ v: Double) -> Markup { Markup(String(format: "%.1f%%", 100 * v)) }
        let stored =
            model.operatingPoint.map { "chosen on \($0.chosenOn.joined(separator: ", "))" }
            ?? "none stored: the daemon's default review threshold"
        var thresholds = Array(stride(from: Float(0.3), through: 0.96, by: 0.05))
        thresholds += point.noneOfThese == nil ? [point.other, point.review] : [point.review]
        thresholds = Array(Set(thresholds)).sorted()
        let header = Markup.element(
            "tr",
            ["threshold", "correct answers held", "wrong answers held", "outliers held"].map {
                .element("th", [Markup($0)])
            })
        let rows = thresholds.map { t -> Markup in
            let r = h.row(t, noneOfThese: point.noneOfThese)
            let other = point.noneOfThese == nil && t == point.other
            let name = t == point.review ? " (review)" : other ? " (other)" : ""
            return .element(
                "tr", t == point.review || other ? ["class": "total"] : [:],
                [Markup(String(format: "%.3f", t) + name), pct(r.correct), pct(r.wrong), pct(r.outliers)].map {
                    .element("td", [$0])
                })
        }
        var summary: [Markup] = [
            Markup("Operating point (\(stored)): \(point.summary). "),
            "Correct answers held back: ", .element("b", [pct(PhotoEvaluation.Shares.held(shares.correct))]),
            "; wrong answers held back: ", pct(PhotoEvaluation.Shares.held(shares.wrong)), ".",
        ]
        if !e.outliers.isEmpty {
            summary += [
                Markup(" Outliers (\(e.outliers.count) photos of things in no class) held back: "),
                .element("b", [pct(PhotoEvaluation.Shares.held(shares.outliers))]),
                " (into other/: ", pct(shares.outliers[.other] ?? 0), "); AUROC ",
                Markup(
                    String(format: "%.3f", h.auroc)
                        + (model.architecture.hasOtherOutput
                            ? String(format: " by confidence, %.3f by the none-of-these share", h.noneOfTheseAUROC)
                            : "")), ".",
            ]
        }
        return TrainingReport.section(
            "held-back", "What is held back",
            [
                .element("p", summary),
                .element(
                    "p", ["class": "note"],
                    [
                        Markup(
                            "Each threshold holds back the photos whose top confidence is below it"
                                + (point.noneOfThese.map {
                                    String(format: ", and other/ those whose none-of-these share is %.3f or more", $0)
                                } ?? "") + "; bold rows are in use.")
                    ]),
                .element("table", [header] + rows),
            ])
    }

    private func figure(_ p: PhotoEvaluation.Photo, point: OperatingPoint) throws -> Markup {
        let best = p.prediction.best
        let folder = p.label?.slug ?? "outlier"
        let none =
            model.architecture.hasOtherOutput ? String(format: ", none of these %.2f", p.prediction.noneOfThese) : ""
        let caption =
            "\(folder) / \(best.label.name) (\(String(format: "%.2f", best.confidence))\(none)) → "
            + point.disposition(p.prediction).rawValue
        let name = (p.file as NSString).lastPathComponent
        return .element(
            "figure",
            [
                .element(
                    "img",
                    ["alt": name, "title": p.file, "src": "data:image/jpeg;base64,\(try Self.thumbnail(p.file))"]),
                .element("figcaption", [Markup(caption)]),
            ])
    }

    /// Up to `gridSize` photos taken in turn from each folder, so a large folder does not fill the grid.
    static func spread(_ photos: [PhotoEvaluation.Photo]) -> [PhotoEvaluation.Photo] {
        var byFolder = Dictionary(grouping: photos, by: { $0.label?.rawValue ?? -1 }).sorted { $0.key < $1.key }
            .map { $0.value[...] }
        var out: [PhotoEvaluation.Photo] = []
        while out.count < photos.count {
            for i in byFolder.indices { if let p = byFolder[i].popFirst() { out.append(p) } }
        }
        return out
    }

    /// The photo scaled to fit 120 px, as JPEG data-URI payload.
    static func thumbnail(_ file: String) throws -> String {
        let side = 120
        let image = try ImageDecoder.decode(
            try FileBytes.read(file), file: file, limits: DecodeLimits(minLongSide: side))
        let scale = Double(max(image.width, image.height)) / Double(side)
        let w = max(1, Int(Double(image.width) / scale)), h = max(1, Int(Double(image.height) / scale))
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        // Each thumbnail pixel is the mean of the source block it covers.
        for y in 0..<h {
            let y0 = Int(Double(y) * scale), y1 = max(y0 + 1, min(image.height, Int(Double(y + 1) * scale)))
            for x in 0..<w {
                let x0 = Int(Double(x) * scale), x1 = max(x0 + 1, min(image.width, Int(Double(x + 1) * scale)))
                var sum = [0, 0, 0]
                for sy in y0..<y1 {
                    for sx in x0..<x1 { for c in 0..<3 { sum[c] += Int(image.rgb[(sy * image.width + sx) * 3 + c]) } }
                }
                for c in 0..<3 { rgb[(y * w + x) * 3 + c] = UInt8(sum[c] / ((y1 - y0) * (x1 - x0))) }
            }
        }
        let jpeg = try ImageEncoder.jpeg(Image(width: w, height: h, rgb: rgb))
        return Data(jpeg).base64EncodedString()
    }
}
