import NeuralNet
import TestSupport
import Testing
@testable import FashionModel
@testable import Training

@Suite(.enabled(if: datasetInstalled, "needs Debian's dataset-fashion-mnist"))
struct TrainingTests {
    /// One short epoch on 4,000 images must lift the seed model far above
    /// chance (10%); validation accuracy is what the trainer reports.
    /// 4,000 training images split 90/10, and two epochs of batches of 32 at a constant rate.
    static func shortRun() throws -> (train: LabelledImages, validation: LabelledImages, options: TrainingOptions) {
        let (train, validation) = try FashionMNIST.load(.train).subset(0..<4000).split(validationFraction: 0.1, seed: 1)
        var options = TrainingOptions()
        options.epochs = 2
        options.batchSize = 32
        options.schedule = .constant
        return (train, validation, options)
    }

    @Test func shortRunLearns() throws {
        var (train, validation, options) = try Self.shortRun()
        options.augmentation = Augmentation(shift: 1, flip: true, erase: 0.2)
        let model = Model(architecture: .seed, seed: 1)
        let before = Evaluation(model: model, data: validation).accuracy
        let (history, best) = Trainer(options: options).train(model, on: train, validation: validation)
        #expect(history.count == 2 && (1...2).contains(best))
        #expect(before < 0.3)
        #expect(history[best - 1].validationAccuracy ?? 0 > 0.65)
        // The restored best epoch is what the model now scores.
        #expect(
            abs(Evaluation(model: model, data: validation).accuracy - Double(history[best - 1].validationAccuracy ?? 0))
                < 1e-6)
    }

    /// With no images held out there is nothing to choose an epoch by: the last one is kept and
    /// its history says no validation, in the CSV too.
    @Test func withoutValidationTheLastEpochIsKept() throws {
        let (train, _, options) = try Self.shortRun()
        let none = train.subset(0..<0)
        let model = Model(architecture: .seed, seed: 1)
        let (history, best) = Trainer(options: options).train(model, on: train, validation: none)
        #expect(best == 2 && history.allSatisfy { $0.validationLoss == nil && $0.validationAccuracy == nil })
        let read = TrainingHistory(csv: TrainingHistory(history).csv).records
        #expect(read.count == 2 && read.allSatisfy { $0.validationLoss == nil && $0.validationAccuracy == nil })
        #expect(read.map(\.trainLoss) == history.map(\.trainLoss))
        #expect(TrainingHistory(history).bestByValidationLoss == 2)
    }

    /// Outlier exposure and an eleventh output must each lower the confidence the model gives outliers of the
    /// kind it saw, while in-class accuracy holds; the control run trains the same way without them.
    @Test(arguments: [OutlierTraining.Method.exposure, .otherOutput])
    func outlierTrainingLowersOutlierConfidence(method: OutlierTraining.Method) throws {
        let (train, validation, options) = try Self.shortRun()
        func trained(outliers: Bool) -> Model {
            var o = options
            if outliers { o.outliers = OutlierTraining(); o.outliers?.method = method }
            let other = outliers && method == .otherOutput
            let model = Model(architecture: other ? Architecture.seed.withOtherOutput() : .seed, seed: 1)
            _ = Trainer(options: o).train(
                model, on: train, validation: validation, outliers: outliers ? Self.blobs(300, seed: 5) : [])
            return model
        }
        let plain = trained(outliers: false), exposed = trained(outliers: true)
        let unseen = Self.blobs(200, seed: 99)
        func meanConfidence(_ m: Model) -> Float {
            let p = m.predict(unseen)
            return p.map(\.best.confidence).reduce(0, +) / Float(p.count)
        }
        #expect(
            meanConfidence(exposed) < 0.5 * meanConfidence(plain),
            "mean confidence on unseen outliers \(meanConfidence(exposed)), without exposure \(meanConfidence(plain))")
        #expect(meanConfidence(exposed) < 0.3)
        let accuracy = Evaluation(model: exposed, data: validation).accuracy
        let control = Evaluation(model: plain, data: validation).accuracy
        #expect(accuracy > 0.65 && accuracy > control - 0.05, "accuracy \(accuracy), without outliers \(control)")
    }

    /// A student learning labels that are all wrong (each shifted by one class) follows its teacher instead
    /// when the distillation term outweighs them; the control learns the wrong labels.
    @Test func distillationPullsTheStudentTowardsItsTeacher() throws {
        let (train, validation, options) = try Self.shortRun()
        let teacher = Model(architecture: .seed, seed: 1)
        _ = Trainer(options: options).train(teacher, on: train, validation: validation)
        let shifted = LabelledImages(pixels: train.pixels, labels: train.labels.map { ($0 + 1) % 10 })
        func student(distilled: Bool) -> Model {
            var o = options
            if distilled {
                o.distillation = Distillation(teachers: [teacher.inference])
                o.distillation?.lambda = 4; o.distillation?.temperature = 1
            }
            let model = Model(architecture: .seed, seed: 2)
            _ = Trainer(options: o).train(model, on: shifted, validation: validation.subset(0..<0))
            return model
        }
        let answers = teacher.predict(validation.pixels).map(\.best.label)
        func agreement(_ m: Model) -> Double {
            let mine = m.predict(validation.pixels).map(\.best.label)
            return Double(zip(mine, answers).filter { $0 == $1 }.count) / Double(answers.count)
        }
        let distilled = agreement(student(distilled: true)), control = agreement(student(distilled: false))
        #expect(distilled > 0.6 && control < 0.3, "agreement with the teacher \(distilled), control \(control)")
    }

    /// Images of no garment: noise, flat grey, or a few random bright rectangles, [n, 28·28].
    static func blobs(_ n: Int, seed: UInt64) -> [Float] {
        var rng = NeuralNet.RNG(seed: seed)
        var pixels = [Float](repeating: 0, count: n * 784)
        for i in 0..<n {
            switch i % 3 {
            case 0: for j in 0..<784 { pixels[i * 784 + j] = rng.uniform() }
            case 1: for j in 0..<784 { pixels[i * 784 + j] = 0.2 + 0.6 * Float(i % 7) / 7 }
            default:
                for _ in 0..<3 {
                    let x = rng.int(20), y = rng.int(20), w = 2 + rng.int(8), h = 2 + rng.int(8)
                    for r in y..<min(28, y + h) { for c in x..<min(28, x + w) { pixels[i * 784 + r * 28 + c] = 1 } }
                }
            }
        }
        return pixels
    }

    @Test func splitIsDisjointAndSeeded() throws {
        let all = try FashionMNIST.load(.test).subset(0..<1000)
        let a = all.split(validationFraction: 0.1, seed: 4), b = all.split(validationFraction: 0.1, seed: 4)
        #expect(a.validation.count == 100 && a.train.count == 900)
        #expect(a.validation.labels == b.validation.labels)
    }
}

@Suite(.enabled(if: datasetInstalled, "needs Debian's dataset-fashion-mnist"))
struct ShippedModelTests {
    /// The committed default model must beat the reference analysis (92.7%).
    @Test func shippedModelScoresAtLeast94Percent() throws {
        let model = try Model(contentsOf: Model.defaultPath)
        let e = Evaluation(model: model, data: try FashionMNIST.load(.test))
        #expect(e.count == 10_000)
        #expect(e.accuracy >= 0.94, "shipped model \(model.id) scored \(e.accuracy)")
    }
}

@Suite struct FineTuneTests {
    /// Fine-tuning a saved checkpoint changes its weights and still saves a valid checkpoint.
    @Test func fineTuningChangesWeightsAndKeepsTheCheckpointValid() throws {
        let dir = temporaryDirectory()
        try Model(architecture: .slim, seed: 2).save(to: "\(dir)/base.safetensors")
        let model = try Model(contentsOf: "\(dir)/base.safetensors")
        let before = model.network.parameters.map(\.value.data)
        var rng = NeuralNet.RNG(seed: 3)
        let images = LabelledImages(pixels: (0..<64 * 784).map { _ in rng.uniform() }, labels: (0..<64).map { $0 % 10 })
        var options = TrainingOptions()
        options.epochs = 1
        options.batchSize = 16
        _ = Trainer(options: options).train(
            model, on: images, validation: images.subset(0..<16),
            weights: [Float](repeating: 2, count: 64))
        #expect(zip(before, model.network.parameters.map(\.value.data)).contains { $0 != $1 })
        try model.save(to: "\(dir)/tuned.safetensors")
        let reloaded = try Model(contentsOf: "\(dir)/tuned.safetensors")
        #expect(reloaded.probabilities(images.pixels).data == model.probabilities(images.pixels).data)
    }
}
