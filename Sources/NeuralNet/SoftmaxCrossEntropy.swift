/// Softmax over the last dimension, and the mean cross-entropy loss with its
/// gradient, fused for numerical stability (max subtracted before exp).
public enum SoftmaxCrossEntropy {
    /// Row-wise softmax of logits [N, K] (optionally divided by a temperature).
    public static func probabilities(_ logits: Tensor, temperature: Float = 1) -> Tensor {
        var p = logits
        let k = logits.shape[1]
        p.data.withUnsafeMutableBufferPointer { d in
            for i in 0..<logits.shape[0] {
                let row = d.baseAddress! + i * k
                var mx = -Float.infinity
                for j in 0..<k { row[j] /= temperature; mx = max(mx, row[j]) }
                var sum: Float = 0
                for j in 0..<k { row[j] = Math.exp(row[j] - mx); sum += row[j] }
                for j in 0..<k { row[j] /= sum }
            }
        }
        return p
    }

    public struct Result {
        /// Mean loss over the batch (weighted when weights are given).
        public var loss: Float
        /// dL/dlogits [N, K].
        public var gradient: Tensor
        /// Rows whose arg-max equals the label.
        public var correct: Int
    }

    /// Loss and gradient for integer labels; `weights` scale each sample's
    /// contribution (mean over the weight sum).
    public static func evaluate(_ logits: Tensor, labels: [Int], weights: [Float]? = nil) -> Result {
        let n = logits.shape[0], k = logits.shape[1]
        var grad = probabilities(logits)
        let total = weights.map { $0.reduce(0, +) } ?? Float(n)
        var loss: Float = 0, correct = 0
        for i in 0..<n {
            let w = weights?[i] ?? 1
            var best = 0
            for j in 1..<k where logits.data[i * k + j] > logits.data[i * k + best] { best = j }
            if best == labels[i] { correct += 1 }
            loss -= w * _log(max(grad.data[i * k + labels[i]], 1e-12))
            grad.data[i * k + labels[i]] -= 1
            for j in 0..<k { grad.data[i * k + j] *= w / total }
        }
        return Result(loss: loss / total, gradient: grad, correct: correct)
    }
}
