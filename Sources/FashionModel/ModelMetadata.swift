import Foundation

/// How a checkpoint was trained. `bestEpoch` counts in the stored history,
/// which for a fine-tune starts with its source's epochs; `fineTuneStart` is
/// then the first epoch of this run.
public struct TrainingSummary: Codable, Sendable, Equatable {
    public var architecture: String, epochsRun: Int, bestEpoch: Int, fineTuneStart: Int?, batchSize: Int
    public var learningRate: Float, schedule: String, weightDecay: Float, seed: UInt64
    public var validationSplit: Double, trainImages: Int, shift: Int, flip: Bool, erase: Float
    public var wallSeconds: Double, command: String
    public var from: String?, extraData: [String]
    /// Real photos trained on per class slug, before repeating, and outlier images under "other".
    public var photos: [String: Int]? = nil
    /// How outliers were used: the loss, its weight and outliers per image.
    public var outlierLoss: String? = nil
    /// The teachers distilled from (model ids), the weight and the temperature.
    public var distillation: String? = nil

    public init(
        architecture: String, epochsRun: Int, bestEpoch: Int, fineTuneStart: Int?, batchSize: Int,
        learningRate: Float, schedule: String, weightDecay: Float, seed: UInt64, validationSplit: Double,
        trainImages: Int, shift: Int, flip: Bool, erase: Float, wallSeconds: Double, command: String,
        from: String?, extraData: [String]
    ) {
        self.architecture = architecture; self.epochsRun = epochsRun; self.bestEpoch = bestEpoch
        self.fineTuneStart = fineTuneStart; self.batchSize = batchSize; self.learningRate = learningRate
        self.schedule = schedule; self.weightDecay = weightDecay; self.seed = seed
        self.validationSplit = validationSplit; self.trainImages = trainImages; self.shift = shift
        self.flip = flip; self.erase = erase; self.wallSeconds = wallSeconds; self.command = command
        self.from = from; self.extraData = extraData
    }
}

/// Test-set and validation figures measured when the checkpoint was written.
public struct TestMetrics: Codable, Sendable, Equatable {
    public var testAccuracy: Double, testLoss: Double, validationLoss: Float?, validationAccuracy: Float?

    public init(testAccuracy: Double, testLoss: Double, validationLoss: Float?, validationAccuracy: Float?) {
        self.testAccuracy = testAccuracy; self.testLoss = testLoss
        self.validationLoss = validationLoss; self.validationAccuracy = validationAccuracy
    }
}

/// What `fashionsort calibrate` measured and chose.
public struct CalibrationRecord: Codable, Sendable, Equatable {
    public var temperature: Float, fittedTemperature: Float
    public var eceAtOne: Double, eceFitted: Double, validationImages: Int

    enum CodingKeys: String, CodingKey {
        case temperature
        case fittedTemperature = "fitted_temperature"
        case eceAtOne = "ece_t1"
        case eceFitted = "ece_fitted"
        case validationImages = "validation_images"
    }

    public init(
        temperature: Float, fittedTemperature: Float, eceAtOne: Double, eceFitted: Double, validationImages: Int
    ) {
        self.temperature = temperature; self.fittedTemperature = fittedTemperature
        self.eceAtOne = eceAtOne; self.eceFitted = eceFitted; self.validationImages = validationImages
    }
}

/// Per-epoch history as the CSV that `train` writes beside the checkpoint and into its metadata.
/// One epoch of a training run, as the card's history keeps it.
public struct EpochRecord: Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Float, trainAccuracy: Float
    /// Nil when no images were held out (`--validation-split 0`).
    public var validationLoss: Float?, validationAccuracy: Float?
    public var learningRate: Float
    public var seconds: Double

    public init(
        epoch: Int, trainLoss: Float, trainAccuracy: Float, validationLoss: Float?, validationAccuracy: Float?,
        learningRate: Float, seconds: Double
    ) {
        self.epoch = epoch; self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss; self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate; self.seconds = seconds
    }
}

public struct TrainingHistory: Sendable, Equatable {
    public var records: [EpochRecord]

    public init(_ records: [EpochRecord] = []) { self.records = records }

    static let header = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds"

    /// Rows that do not parse (a foreign or damaged file) are skipped; empty validation fields are no validation.
    public init(csv text: String) {
        records = text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func optional(_ s: String) -> Float?? { s.isEmpty ? .some(nil) : Float(s).map { .some($0) } }
            guard f.count >= 7, let e = Int(f[0]), let tl = Float(f[1]), let ta = Float(f[2]), let vl = optional(f[3]),
                let va = optional(f[4]), let lr = Float(f[5]), let s = Double(f[6])
            else { return nil }
            return EpochRecord(
                epoch: e, trainLoss: tl, trainAccuracy: ta, validationLoss: vl, validationAccuracy: va,
                learningRate: lr,
                seconds: s)
        }
    }

    public var csv: String {
        records.reduce(Self.header + "\n") { text, r in
            text + "\(r.epoch),\(r.trainLoss),\(r.trainAccuracy),\(r.validationLoss.map { "\($0)" } ?? ""),"
                + "\(r.validationAccuracy.map { "\($0)" } ?? ""),"
                + "\(r.learningRate),\((r.seconds * 100).rounded() / 100)\n"
        }
    }

    /// This history followed by `later`, renumbered to continue it (a fine-tune's epochs).
    public func continued(with later: [EpochRecord]) -> TrainingHistory {
        let offset = records.last?.epoch ?? 0
        return TrainingHistory(
            records
                + later.map {
                    var r = $0; r.epoch += offset; return r
                })
    }

    /// The epoch with the lowest validation loss, when no summary says; the last without validation.
    public var bestByValidationLoss: Int {
        let measured = records.compactMap { r in r.validationLoss.map { (r.epoch, $0) } }
        return measured.min { $0.1 < $1.1 }?.0 ?? records.last?.epoch ?? 0
    }
}

/// The typed sections of a checkpoint's `__metadata__`, each stored as one JSON (or CSV) string.
/// A checkpoint's metadata decoded: what it was trained on, how it scored, where it holds photos back, its
/// epochs. Decoded once per change of the metadata strings.
public struct ModelCard: Sendable, Equatable {
    public var training: TrainingSummary?
    public var metrics: TestMetrics?
    public var calibration: CalibrationRecord?
    /// Where photos are held back; stored by `fashionsort calibrate --photos`.
    public var operatingPoint: OperatingPoint?
    public var history: TrainingHistory

    init(_ metadata: [String: String]) {
        func decoded<T: Decodable>(_ key: String) -> T? {
            metadata[key].flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
        }
        training = decoded("training")
        metrics = decoded("metrics")
        calibration = decoded("calibration")
        operatingPoint = decoded("operating_point")
        history = TrainingHistory(csv: metadata["history"] ?? "")
    }
}

extension Model {
    public var training: TrainingSummary? {
        get { card.training }
        set { encode(newValue, as: "training") }
    }

    public var metrics: TestMetrics? {
        get { card.metrics }
        set { encode(newValue, as: "metrics") }
    }

    public var calibration: CalibrationRecord? {
        get { card.calibration }
        set { encode(newValue, as: "calibration") }
    }

    /// Where photos are held back; stored by `fashionsort calibrate --photos`.
    public var operatingPoint: OperatingPoint? {
        get { card.operatingPoint }
        set { encode(newValue, as: "operating_point") }
    }

    /// The stored operating point, or the daemon's long-standing review threshold for older checkpoints.
    public var decision: OperatingPoint { operatingPoint ?? .unchosen }

    public var history: TrainingHistory {
        get { card.history }
        set { metadata["history"] = newValue.records.isEmpty ? nil : newValue.csv }
    }

    private func encode<T: Encodable>(_ value: T?, as key: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        metadata[key] = value.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) }
    }
}
