/// Cross-entropy from a softmax at temperature T to given distributions, on some rows of a batch:
/// the loss behind outlier exposure, the "none of these" output and distillation.
///
///   L = λ·T² · mean over the chosen rows i of [logsumexp(z_i/T) − Σ_j q_ij·z_ij/T]
///   dL/dz_ij = λ·T · (softmax(z_i/T)_j − q_ij) / rows
///
/// The T² keeps the gradient's scale independent of T (Hinton, Vinyals, Dean 2015).
public enum SoftCrossEntropy {
    public struct Result {
        public var loss: Float
        /// dL/dlogits [N, K], zero for the rows the loss does not look at.
        public var gradient: Tensor
    }

    /// Logits [N, K] against targets [N, K] (each chosen row summing to 1), on the rows where `rows` is true.
    public static func evaluate(
        _ logits: Tensor, targets: Tensor, rows: [Bool], temperature t: Float, lambda: Float
    ) -> Result {
        let k = logits.shape[1]
        let count = Float(rows.filter { $0 }.count)
        var grad = Tensor(zeros: logits.shape), loss: Float = 0
        guard count > 0 else { return Result(loss: 0, gradient: grad) }
        // One pass over a row: its exponentials give both logsumexp and the softmax.
        var e = [Float](repeating: 0, count: k)
        for (i, chosen) in rows.enumerated() where chosen {
            let mx = logits.data[i * k..<(i + 1) * k].max()! / t
            var sum: Float = 0, expected: Float = 0
            for j in 0..<k {
                let z = logits.data[i * k + j] / t
                e[j] = Math.exp(z - mx)
                sum += e[j]
                expected += targets.data[i * k + j] * z
            }
            loss += lambda * t * t * (mx + _log(sum) - expected) / count
            for j in 0..<k { grad.data[i * k + j] = lambda * t * (e[j] / sum - targets.data[i * k + j]) / count }
        }
        return Result(loss: loss, gradient: grad)
    }

    /// The mean softmax at temperature `t` of several models' logits [N, K_m], as targets [N, K]:
    /// outputs a model lacks (K_m < K, e.g. a ten-class teacher for a student with "none of these") get 0.
    public static func meanSoftmax(_ logits: [Tensor], outputs k: Int, temperature t: Float) -> Tensor {
        let n = logits.first?.shape[0] ?? 0
        var mean = Tensor(zeros: [n, k])
        for z in logits {
            let km = z.shape[1]
            precondition(km <= k, "a model with \(km) outputs cannot teach one with \(k)")
            let p = SoftmaxCrossEntropy.probabilities(z, temperature: t)
            for i in 0..<n {
                for j in 0..<km { mean.data[i * k + j] += p.data[i * km + j] / Float(logits.count) }
            }
        }
        return mean
    }
}
