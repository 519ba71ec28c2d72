import NeuralNet

/// An eleventh output, "none of these", after the ten classes, trained on outlier
/// images (`--outlier-loss other-output`). Whatever reads class probabilities sees
/// the ten classes' shares of the softmax over all eleven, so an outlier's confidence
/// is low and the stored thresholds hold it back like any other unsure answer.
extension Architecture {
    public var hasOtherOutput: Bool { outputs == FashionClass.count + 1 }

    /// The same network with eleven outputs.
    public func withOtherOutput() -> Architecture {
        var a = self
        if let i = a.steps.lastIndex(where: { if case .dense = $0 { true } else { false } }) {
            a.steps[i] = .dense(units: FashionClass.count + 1)
        }
        return a
    }
}

extension Model {
    /// This model with the eleventh output added, its weights zero (its logit starts at 0);
    /// every other weight, the temperature and the metadata are kept.
    public func withOtherOutput() -> Model {
        guard !architecture.hasOtherOutput else { return self }
        let source = network, architecture = architecture.withOtherOutput()
        let target = architecture.build(seed: nil)
        for (s, t) in zip(source.stateTensors, target.stateTensors) {
            // The last layer's weight [10, in] and bias [10] are the first rows of [11, in] and [11].
            t.value.data.replaceSubrange(0..<s.value.data.count, with: s.value.data)
        }
        for (s, t) in zip(source.batchNorms, target.batchNorms) { t.batchesTracked = s.batchesTracked }
        return Model(
            architecture: architecture, network: target, metadata: metadata, id: "untrained", temperature: temperature)
    }

    /// Class probabilities [N, 10] from logits [N, K] at `temperature` (the model's when nil):
    /// the softmax over all K outputs, of which an eleventh keeps its share.
    public func classProbabilities(_ logits: Tensor, temperature: Float? = nil) -> Tensor {
        let p = SoftmaxCrossEntropy.probabilities(logits, temperature: temperature ?? self.temperature)
        let (n, k, classes) = (p.shape[0], p.shape[1], FashionClass.count)
        guard k > classes else { return p }
        var shares: [Float] = []
        shares.reserveCapacity(n * classes)
        for i in 0..<n { shares += p.data[i * k..<i * k + classes] }
        return Tensor(shape: [n, classes], data: shares)
    }
}
