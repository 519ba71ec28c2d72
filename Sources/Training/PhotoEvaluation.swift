import FashionModel
import NeuralNet

/// How a model does on labelled photos in class folders and, optionally, on
/// photos of things in no class: the numbers behind `evaluate --folders`,
/// `calibrate --photos` and the report's photo sections.
public struct PhotoEvaluation: Sendable {
    public struct Photo: Sendable {
        public var file: String
        /// The folder's class; nil for an outlier.
        public var label: FashionClass?
        public var prediction: Prediction
    }

    public var photos: [Photo]
    public var outliers: [Photo]
    /// Over the in-class photos; its per-class rows count only for `classes`.
    public var evaluation: Evaluation
    /// Folders with at least one photo, in label order.
    public var classes: [FashionClass]
    public var holdBack: HoldBack
    /// Energies −logsumexp(logits) of the in-class photos and the outliers (Liu et al. 2020's score).
    public var energies: (inClass: [Float], outliers: [Float])

    public init(
        model: Model, photos loaded: LabelledFolders.Loaded, outliers: [Float] = [], outlierFiles: [String] = []
    ) {
        let images = loaded.images, all = loaded.outliers + outliers
        // One forward pass per set: probabilities (at the model's temperature) and energies both come from it.
        let (inLogits, outLogits) = (model.logits(images.pixels), model.logits(all))
        let probabilities = model.classProbabilities(inLogits)
        let predictions = Prediction.rows(probabilities)
        photos = zip(loaded.files, zip(images.labels, predictions)).map {
            Photo(file: $0.0, label: FashionClass(rawValue: $0.1.0), prediction: $0.1.1)
        }
        let outPredictions = Prediction.rows(model.classProbabilities(outLogits))
        self.outliers = zip(loaded.outlierFiles + outlierFiles, outPredictions).map {
            Photo(file: $0.0, label: nil, prediction: $0.1)
        }
        evaluation = Evaluation(probabilities: probabilities, labels: images.labels)
        classes = loaded.classes
        energies = (OutlierLoss.energy(inLogits), OutlierLoss.energy(outLogits))
        holdBack = HoldBack(
            predictions: predictions, labels: images.labels, outliers: self.outliers.map(\.prediction))
    }

    /// AUROC of outliers against in-class photos by energy (high energy: outlier).
    public var energyAUROC: Double {
        HoldBack.auroc(inClass: energies.inClass.map { -$0 }, outliers: energies.outliers.map { -$0 })
    }

    /// Per-class recall averaged over the folders present: a constant answer scores 1/folders.
    public var meanRecall: Double {
        classes.isEmpty
            ? 0 : classes.map { evaluation.classes[$0.rawValue].recall }.reduce(0, +) / Double(classes.count)
    }

    /// The wrong answer given most often for a folder's photos, and how often.
    public func commonestWrongAnswer(_ c: FashionClass) -> (answer: FashionClass, count: Int)? {
        evaluation.confusion[c.rawValue].enumerated().filter { $0.offset != c.rawValue && $0.element > 0 }
            .max { $0.element < $1.element }.map { (FashionClass(rawValue: $0.offset)!, $0.element) }
    }

    /// The in-class photos filed under a wrong class, in folder order.
    public var wrong: [Photo] { photos.filter { $0.prediction.best.label != $0.label } }

    /// What `point` does with each group: shares sent to each disposition.
    public func shares(at point: OperatingPoint) -> Shares {
        func count(_ group: [Photo]) -> [OperatingPoint.Disposition: Double] {
            var c: [OperatingPoint.Disposition: Double] = [:]
            for p in group { c[point.disposition(p.prediction), default: 0] += 1 }
            return c.mapValues { $0 / Double(max(1, group.count)) }
        }
        let right = photos.filter { $0.prediction.best.label == $0.label }
        return Shares(correct: count(right), wrong: count(wrong), outliers: count(outliers))
    }

    public struct Shares: Sendable {
        public var correct: [OperatingPoint.Disposition: Double]
        public var wrong: [OperatingPoint.Disposition: Double]
        public var outliers: [OperatingPoint.Disposition: Double]

        /// Held back = sent to review/ or other/.
        public static func held(_ s: [OperatingPoint.Disposition: Double]) -> Double {
            (s[.review] ?? 0) + (s[.other] ?? 0)
        }
    }
}
