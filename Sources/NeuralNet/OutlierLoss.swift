/// Losses that teach a classifier what is none of its classes, from outlier
/// images, and the score that tells them apart at inference. K = classes.
///
/// - Outlier Exposure (Hendrycks, Mazeika, Dietterich, ICLR 2019): the mean
///   cross-entropy from the outlier rows' softmax to the uniform distribution,
///   L = mean_i [logsumexp(z_i) − mean_j z_ij]; scored by the largest softmax.
/// - Energy (Liu, Wang, Owens, Li, NeurIPS 2020): E(z) = −logsumexp(z); squared
///   hinges push in-class energies below `mIn` and outlier energies above `mOut`,
///   L = mean_in max(0, E − mIn)² + mean_out max(0, mOut − E)².
/// - An extra output: the last of K logits is "none of these", the label of every
///   outlier row, L = mean_i [logsumexp(z_i) − z_i,K−1]; scored by the largest class softmax.
public enum OutlierLoss {
    public typealias Result = SoftCrossEntropy.Result

    /// −logsumexp of each row of logits [N, K]: low for inputs the model knows.
    public static func energy(_ logits: Tensor) -> [Float] {
        let n = logits.shape[0], k = logits.shape[1]
        return (0..<n).map { i in
            let row = logits.data[i * k..<(i + 1) * k]
            let mx = row.max() ?? 0
            return -(mx + _log(row.reduce(0) { $0 + Math.exp($1 - mx) }))
        }
    }

    /// Outlier Exposure on the rows where `outlier` is true, weighted by `lambda`.
    public static func uniformCrossEntropy(_ logits: Tensor, outlier: [Bool], lambda: Float) -> Result {
        let k = logits.shape[1]
        return crossEntropy(logits, outlier: outlier, lambda: lambda, to: [Float](repeating: 1 / Float(k), count: k))
    }

    /// The energy margins' squared hinges, weighted by `lambda`; dE/dz = −softmax(z).
    public static func energyMargins(
        _ logits: Tensor, outlier: [Bool], inMargin: Float, outMargin: Float, lambda: Float
    ) -> Result {
        let k = logits.shape[1], p = SoftmaxCrossEntropy.probabilities(logits)
        let outliers = Float(outlier.filter { $0 }.count), inliers = Float(outlier.count) - outliers
        var grad = Tensor(zeros: logits.shape), loss: Float = 0
        for (i, e) in energy(logits).enumerated() {
            // hinge h ≥ 0 and dL/dE for this row.
            let (h, slope): (Float, Float) =
                outlier[i]
                ? (max(0, outMargin - e), -2 * max(0, outMargin - e) / outliers)
                : (max(0, e - inMargin), 2 * max(0, e - inMargin) / inliers)
            guard h > 0 else { continue }
            loss += lambda * h * h / (outlier[i] ? outliers : inliers)
            for j in 0..<k { grad.data[i * k + j] = -lambda * slope * p.data[i * k + j] }
        }
        return Result(loss: loss, gradient: grad)
    }

    /// Cross-entropy of the outlier rows to the last output, weighted by `lambda`.
    public static func lastOutputCrossEntropy(_ logits: Tensor, outlier: [Bool], lambda: Float) -> Result {
        let k = logits.shape[1]
        return crossEntropy(logits, outlier: outlier, lambda: lambda, to: (0..<k).map { $0 == k - 1 ? 1 : 0 })
    }

    /// λ · mean over the outlier rows of the cross-entropy from their softmax to `target` [K] (summing to 1).
    private static func crossEntropy(_ logits: Tensor, outlier: [Bool], lambda: Float, to target: [Float]) -> Result {
        let n = logits.shape[0]
        let targets = Tensor(shape: logits.shape, data: Array((0..<n).map { _ in target }.joined()))
        return SoftCrossEntropy.evaluate(logits, targets: targets, rows: outlier, temperature: 1, lambda: lambda)
    }
}
