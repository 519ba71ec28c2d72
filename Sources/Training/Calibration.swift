import FashionModel
import NeuralNet

/// Whether confidences mean what they say (Guo et al. 2017, "On Calibration
/// of Modern Neural Networks"): expected calibration error, and temperature
/// scaling fitted on held-out data so the daemon's review threshold is honest.
public enum Calibration {
    /// ECE over `bins` equal-width confidence bins: Σ (n_b / N)·|accuracy_b − confidence_b|.
    public static func expectedCalibrationError(_ p: Tensor, labels: [Int], bins: Int = 15) -> Double {
        let k = p.shape[1]
        var count = [Int](repeating: 0, count: bins), correct = count, conf = [Double](repeating: 0, count: bins)
        for i in 0..<labels.count {
            var best = 0
            for j in 1..<k where p.data[i * k + j] > p.data[i * k + best] { best = j }
            let c = Double(p.data[i * k + best])
            let b = min(bins - 1, Int(c * Double(bins)))
            count[b] += 1
            conf[b] += c
            if best == labels[i] { correct[b] += 1 }
        }
        var ece = 0.0
        for b in 0..<bins where count[b] > 0 {
            ece += abs(Double(correct[b]) - conf[b]) / Double(labels.count)
        }
        return ece
    }

    /// Mean negative log-likelihood at temperature `t`.
    static func nll(_ logits: Tensor, _ labels: [Int], _ t: Float) -> Double {
        let p = SoftmaxCrossEntropy.probabilities(logits, temperature: t)
        var s = 0.0
        for (i, y) in labels.enumerated() { s -= Double(Math.log(max(p.data[i * p.shape[1] + y], 1e-12))) }
        return s / Double(max(1, labels.count))
    }

    /// The temperature in [0.25, 10] minimising validation NLL (golden-section search; NLL is unimodal in t).
    public static func fitTemperature(_ logits: Tensor, labels: [Int]) -> Float {
        var lo: Float = 0.25, hi: Float = 10
        let g: Float = 0.618_034
        var a = hi - g * (hi - lo), b = lo + g * (hi - lo)
        var fa = nll(logits, labels, a), fb = nll(logits, labels, b)
        for _ in 0..<40 {
            if fa < fb {
                hi = b; b = a; fb = fa; a = hi - g * (hi - lo); fa = nll(logits, labels, a)
            } else {
                lo = a; a = b; fa = fb; b = lo + g * (hi - lo); fb = nll(logits, labels, b)
            }
        }
        return (lo + hi) / 2
    }
}
