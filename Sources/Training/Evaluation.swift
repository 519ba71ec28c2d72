import FashionModel
import NeuralNet

/// Test-set metrics in the shape of scikit-learn's classification_report and
/// confusion_matrix.
public struct Evaluation: Sendable, Codable {
    public struct ClassScore: Sendable, Codable {
        public var name: String
        public var precision: Double, recall: Double, f1: Double
        public var support: Int
    }
    public struct Confusion: Sendable, Codable {
        public var actual: String, predicted: String, count: Int
    }

    public var count: Int
    public var accuracy: Double
    public var loss: Double
    public var classes: [ClassScore]
    public var macroF1: Double
    /// confusion[actual][predicted]
    public var confusion: [[Int]]
    /// Off-diagonal pairs (either direction summed), largest first.
    public var mostConfused: [Confusion]

    public init(probabilities p: Tensor, labels: [Int]) {
        let n = labels.count, k = FashionClass.count
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        var loss = 0.0
        for i in 0..<n {
            var best = 0
            for j in 1..<k where p.data[i * k + j] > p.data[i * k + best] { best = j }
            confusion[labels[i]][best] += 1
            loss -= Double(Math.log(max(p.data[i * k + labels[i]], 1e-12)))
        }
        var scores: [ClassScore] = []
        for c in 0..<k {
            let tp = Double(confusion[c][c])
            let predicted = Double((0..<k).reduce(0) { $0 + confusion[$1][c] })
            let support = confusion[c].reduce(0, +)
            let precision = predicted > 0 ? tp / predicted : 0
            let recall = support > 0 ? tp / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            scores.append(
                ClassScore(
                    name: FashionClass(rawValue: c)!.name, precision: precision, recall: recall, f1: f1,
                    support: support))
        }
        var pairs: [Confusion] = []
        for a in 0..<k {
            for b in a + 1..<k where confusion[a][b] + confusion[b][a] > 0 {
                let (x, y) = confusion[a][b] >= confusion[b][a] ? (a, b) : (b, a)
                pairs.append(
                    Confusion(
                        actual: FashionClass(rawValue: x)!.name, predicted: FashionClass(rawValue: y)!.name,
                        count: confusion[a][b] + confusion[b][a]))
            }
        }
        self.count = n
        self.accuracy = n > 0 ? Double((0..<k).reduce(0) { $0 + confusion[$1][$1] }) / Double(n) : 0
        self.loss = n > 0 ? loss / Double(n) : 0
        self.classes = scores
        self.macroF1 = scores.reduce(0) { $0 + $1.f1 } / Double(k)
        self.confusion = confusion
        self.mostConfused = Array(pairs.sorted { $0.count > $1.count }.prefix(5))
    }

    public init(model: Model, data: LabelledImages) {
        self.init(models: [model], data: data)
    }

    /// Several models answering together: their mean class probabilities.
    public init(models: [Model], data: LabelledImages) {
        precondition(!models.isEmpty, "an evaluation needs a model")
        var mean = models[0].probabilities(data.pixels)
        for m in models.dropFirst() {
            let p = m.probabilities(data.pixels)
            for i in mean.data.indices { mean.data[i] += p.data[i] }
        }
        for i in mean.data.indices { mean.data[i] /= Float(models.count) }
        self.init(probabilities: mean, labels: data.labels)
    }

    /// Mean loss and accuracy without temperature, for training curves.
    static func lossAndAccuracy(_ inference: InferencePlan, _ data: LabelledImages) -> (loss: Float, accuracy: Float) {
        guard data.count > 0 else { return (0, 0) }
        let r = SoftmaxCrossEntropy.evaluate(inference.logits(pixels: data.pixels, batch: 256), labels: data.labels)
        return (r.loss, Float(r.correct) / Float(data.count))
    }
}
