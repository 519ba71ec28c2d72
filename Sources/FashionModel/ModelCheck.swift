import NeuralNet
/// A model must tell images apart before the daemon trusts it: a checkpoint
/// whose weights are zero or broken loads fine but answers the same for every
/// photo, and would send them all to one folder.
extension Model {
    /// Four built-in 28×28 probes: black, a bright block, a thin bar, a seeded pattern.
    static let probes: [Float] = {
        var images: [Float] = []
        for kind in 0..<4 {
            for y in 0..<28 {
                for x in 0..<28 {
                    switch kind {
                    case 0: images.append(0)
                    case 1: images.append(x > 5 && x < 22 && y > 3 && y < 25 ? 0.9 : 0)
                    case 2: images.append(x > 11 && x < 16 ? 1 : 0)
                    default: images.append(Float((x * 7 + y * 13) % 17) / 16)
                    }
                }
            }
        }
        return images
    }()

    /// Why the model cannot be used, or nil: its outputs on the probes must be
    /// finite and must not be the same for all of them.
    public func sanityProblem() -> String? {
        let logits = self.logits(Self.probes).data
        guard logits.allSatisfy(\.isFinite) else { return "gives non-finite outputs on the built-in probe images" }
        var spread: Float = 0
        let k = architecture.outputs
        for i in k..<logits.count { spread = max(spread, abs(logits[i] - logits[i % k])) }
        return spread < 1e-4 ? "gives the same output for every built-in probe image (weights all zero?)" : nil
    }
}
