import NeuralNet

/// Classes ranked by probability for one image.
public struct Prediction: Sendable {
    public var ranked: [(label: FashionClass, confidence: Float)]

    public init(probabilities row: ArraySlice<Float>) {
        ranked = row.enumerated().map { (FashionClass(rawValue: $0.offset)!, $0.element) }
            .sorted { $0.confidence > $1.confidence }
    }

    public var best: (label: FashionClass, confidence: Float) { ranked[0] }
    public var second: (label: FashionClass, confidence: Float) { ranked[1] }
}

extension Model {
    /// Predictions for images [N, 28·28].
    public func predict(_ pixels: [Float]) -> [Prediction] {
        let p = probabilities(pixels)
        return (0..<p.shape[0]).map { Prediction(probabilities: p.data[$0 * 10 ..< $0 * 10 + 10]) }
    }
}
