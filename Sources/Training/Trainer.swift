import FashionModel
import Dispatch
import NeuralNet

public struct TrainingOptions: Sendable {
    public enum Schedule: String, Sendable, CaseIterable { case constant, cosine, step }

    public var epochs = 30
    public var batchSize = 128
    public var learningRate: Float = 1e-3
    public var schedule = Schedule.cosine
    public var weightDecay: Float = 0
    public var seed: UInt64 = 1
    /// Stop when validation loss has not improved for this many epochs (nil = never).
    public var patience: Int? = nil
    public var augmentation = Augmentation.none
    /// How outlier images, when given, teach the model "none of these" (nil: they are not used).
    public var outliers: OutlierTraining? = nil
    /// Teachers whose softened answers the in-class images also learn (nil: labels only).
    public var distillation: Distillation? = nil

    public init() {}

    /// Learning rate at `progress` ∈ [0, 1) of the run: cosine decays to 0,
    /// step divides by 10 at 50% and 75%.
    public func rate(at progress: Double) -> Float {
        switch schedule {
        case .constant: learningRate
        case .cosine: learningRate * Float(0.5 * (1 + Math.cos(Double.pi * progress)))
        case .step: learningRate * (progress < 0.5 ? 1 : progress < 0.75 ? 0.1 : 0.01)
        }
    }
}

/// The outlier term added to each batch's loss: `perImage` outlier images
/// drawn at random for every in-class image, weighted by `lambda`.
public struct OutlierTraining: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable {
        /// Cross-entropy to the uniform distribution (Hendrycks et al. 2019).
        case exposure
        /// Squared hinges on the energy −logsumexp (Liu et al. 2020).
        case energy
        /// Cross-entropy to an eleventh output, "none of these" (the model needs one: `withOtherOutput()`).
        case otherOutput = "other-output"
    }

    public var method = Method.exposure
    public var lambda: Float = 0.5
    public var perImage = 1.0
    /// Energy margins: in-class energies are pushed below `inMargin`, outliers' above `outMargin`.
    public var inMargin: Float = -12, outMargin: Float = -4

    public init() {}

    func loss(_ logits: Tensor, outlier: [Bool]) -> OutlierLoss.Result {
        switch method {
        case .exposure: OutlierLoss.uniformCrossEntropy(logits, outlier: outlier, lambda: lambda)
        case .energy:
            OutlierLoss.energyMargins(
                logits, outlier: outlier, inMargin: inMargin, outMargin: outMargin, lambda: lambda)
        case .otherOutput: OutlierLoss.lastOutputCrossEntropy(logits, outlier: outlier, lambda: lambda)
        }
    }
}

/// Knowledge distillation (Hinton, Vinyals, Dean 2015): the in-class rows of each batch also learn the
/// teachers' mean softmax at `temperature`, weighted by `lambda`, so one network learns what several know.
public struct Distillation: Sendable {
    public var teachers: [InferencePlan]
    public var lambda: Float = 0.5
    public var temperature: Float = 2

    public init(teachers: [InferencePlan]) { self.teachers = teachers }

    /// The term for a batch `x` [B, 1, 28, 28] whose first `inClass` rows are in-class images; logits [B, K].
    func loss(_ logits: Tensor, images x: Tensor, inClass n: Int) -> SoftCrossEntropy.Result {
        let rows = logits.shape[0], k = logits.shape[1], size = x.count / rows
        let inputs = Tensor(shape: [n] + x.shape.dropFirst(), data: Array(x.data[0..<n * size]))
        let answers = teachers.map { $0.logits(inputs) }
        let mean = SoftCrossEntropy.meanSoftmax(answers, outputs: k, temperature: temperature)
        let targets = Tensor(shape: logits.shape, data: mean.data + [Float](repeating: 0, count: (rows - n) * k))
        return SoftCrossEntropy.evaluate(
            logits, targets: targets, rows: (0..<rows).map { $0 < n }, temperature: temperature, lambda: lambda)
    }
}

public struct BatchProgress: Sendable {
    public var epoch: Int, epochs: Int
    public var batch: Int, batches: Int
    public var loss: Float, accuracy: Float
    public var imagesPerSecond: Double
    public var secondsLeft: Double
}

/// Mini-batch training with Adam, a learning-rate schedule, augmentation and
/// early stopping on validation loss with the best epoch's weights restored.
public struct Trainer {
    public var options: TrainingOptions
    public var onBatch: (BatchProgress) -> Void = { _ in }
    public var onEpoch: (EpochRecord) -> Void = { _ in }
    /// A score of the network after each epoch, higher is better (a shop's held-out photos): when set, the
    /// best epoch is chosen by it instead of by validation loss, and early stopping waits on it.
    public var judge: ((Int, InferencePlan) -> Double)? = nil

    public init(options: TrainingOptions) { self.options = options }

    /// Trains `model` in place; returns per-epoch history. The best epoch (by
    /// validation loss) is the one left in the model, packed for inference once at the end.
    /// `outliers` [M, 28·28] are images of nothing in any class, used when `options.outliers` is set.
    public func train(
        _ model: Model, on train: LabelledImages, validation: LabelledImages,
        weights: [Float]? = nil, outliers: [Float] = []
    ) -> (history: [EpochRecord], bestEpoch: Int) {
        let net = model.network
        let adam = Adam(net.parameters, learningRate: options.learningRate, weightDecay: options.weightDecay)
        var rng = RNG(seed: options.seed &+ 0x5EED)
        let n = train.count, bs = options.batchSize
        let batches = (n + bs - 1) / bs
        var history: [EpochRecord] = []
        var best: (score: Double, epoch: Int, weights: Weights)? = nil
        var order = Array(0..<n)
        let size = LabelledImages.size
        let outlierCount = outliers.count / size
        let outlierTraining = outlierCount > 0 ? options.outliers : nil
        let started = DispatchTime.now().uptimeNanoseconds

        for epoch in 1...options.epochs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            order.shuffle(using: &rng)
            var lossSum: Float = 0, correct = 0, seen = 0
            for b in 0..<batches {
                let idx = order[b * bs..<min(n, (b + 1) * bs)]
                let drawn =
                    outlierTraining.map { o in
                        (0..<Int((o.perImage * Double(idx.count)).rounded())).map { _ in rng.int(outlierCount) }
                    } ?? []
                var x = Tensor(zeros: [idx.count + drawn.count, 1, 28, 28])
                x.data.withUnsafeMutableBufferPointer { xp in
                    func copy(_ source: [Float], _ i: Int, to row: Int) {
                        let dst = xp.baseAddress! + row * size
                        source.withUnsafeBufferPointer { dst.update(from: $0.baseAddress! + i * size, count: size) }
                        if !options.augmentation.isNone { options.augmentation.apply(dst, rng: &rng) }
                    }
                    for (j, i) in idx.enumerated() { copy(train.pixels, i, to: j) }
                    for (j, i) in drawn.enumerated() { copy(outliers, i, to: idx.count + j) }
                }
                let labels = idx.map { train.labels[$0] }
                let progress = (Double(epoch - 1) + Double(b) / Double(batches)) / Double(options.epochs)
                adam.learningRate = options.rate(at: progress)
                let out = net.forward(x, training: true)
                let k = out.shape[1]
                let result = SoftmaxCrossEntropy.evaluate(
                    Tensor(shape: [idx.count, k], data: Array(out.data[0..<idx.count * k])), labels: labels,
                    weights: weights.map { w in idx.map { w[$0] } })
                // Rows [idx.count, K] in-class first, then the outliers' [drawn.count, K].
                var terms: [SoftCrossEntropy.Result] = []
                if let outlierTraining {
                    let mask = [Bool](repeating: false, count: idx.count) + [Bool](repeating: true, count: drawn.count)
                    terms.append(outlierTraining.loss(out, outlier: mask))
                }
                if let distillation = options.distillation {
                    terms.append(distillation.loss(out, images: x, inClass: idx.count))
                }
                var gradient = result.gradient.data + [Float](repeating: 0, count: drawn.count * k)
                for term in terms { for i in gradient.indices { gradient[i] += term.gradient.data[i] } }
                net.backward(Tensor(shape: out.shape, data: gradient))
                adam.update()
                lossSum += result.loss * Float(idx.count); correct += result.correct; seen += idx.count

                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                let total = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                let doneFraction = (Double(epoch - 1) + Double(b + 1) / Double(batches)) / Double(options.epochs)
                onBatch(
                    BatchProgress(
                        epoch: epoch, epochs: options.epochs, batch: b + 1, batches: batches,
                        loss: lossSum / Float(seen), accuracy: Float(correct) / Float(seen),
                        imagesPerSecond: Double(seen) / elapsed, secondsLeft: total / doneFraction - total))
            }
            let v = validation.count > 0 ? Evaluation.lossAndAccuracy(InferencePlan(net), validation) : nil
            let record = EpochRecord(
                epoch: epoch, trainLoss: lossSum / Float(seen), trainAccuracy: Float(correct) / Float(seen),
                validationLoss: v?.loss, validationAccuracy: v?.accuracy,
                learningRate: options.rate(at: Double(epoch - 1) / Double(options.epochs)),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            history.append(record)
            onEpoch(record)
            // Without validation images or a judge there is nothing to choose by: the last epoch is kept.
            guard let score = judge.map({ $0(epoch, InferencePlan(net)) }) ?? v.map({ -Double($0.loss) }) else {
                continue
            }
            if best == nil || score > best!.score {
                best = (score, epoch, Weights(net))
            } else if let patience = options.patience, epoch - best!.epoch >= patience {
                break
            }
        }
        best?.weights.restore(into: net)
        model.update(from: net)
        return (history, best?.epoch ?? history.count)
    }
}

extension LabelledImages {
    /// A seeded split into (train, validation); validation gets `fraction` of the images.
    public func split(
        validationFraction fraction: Double, seed: UInt64
    ) -> (train: LabelledImages, validation: LabelledImages) {
        var rng = RNG(seed: seed)
        var order = Array(0..<count)
        order.shuffle(using: &rng)
        let nv = Int((Double(count) * fraction).rounded())
        return (subset(order[nv...]), subset(order[..<nv]))
    }
}
