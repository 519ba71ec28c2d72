import Dispatch
import ImageIntake
import NeuralNet

/// Classes ranked by probability for one image.
public struct Prediction: Sendable {
    public var ranked: [(label: FashionClass, confidence: Float)]
    /// The eleventh output's share, "none of these": what the ten classes leave of 1 (about 0 without one).
    public var noneOfThese: Float

    public init(probabilities row: ArraySlice<Float>) {
        ranked = row.enumerated().map { (FashionClass(rawValue: $0.offset)!, $0.element) }
            .sorted { $0.confidence > $1.confidence }
        noneOfThese = max(0, 1 - row.reduce(0, +))
    }

    /// One prediction per row of probabilities [N, 10].
    public static func rows(_ p: Tensor) -> [Prediction] {
        (0..<p.shape[0]).map { Prediction(probabilities: p.data[$0 * 10..<$0 * 10 + 10]) }
    }

    public var best: (label: FashionClass, confidence: Float) { ranked[0] }
    public var second: (label: FashionClass, confidence: Float) { ranked[1] }
}

extension Model {
    /// Predictions for images [N, 28·28].
    public func predict(_ pixels: [Float]) -> [Prediction] { Prediction.rows(probabilities(pixels)) }
}

/// A prepared photo's prediction (nil when it could not be decoded) and its
/// time, including an equal share of the batch's forward pass.
public struct PhotoPrediction: Sendable {
    public var prediction: Prediction?
    public var milliseconds: Double

    public init(prediction: Prediction?, milliseconds: Double) {
        self.prediction = prediction
        self.milliseconds = milliseconds
    }
}

extension Model {
    /// Classifies the decodable photos of a batch in one forward pass, keeping their order.
    public func classify(_ photos: [PreparedPhoto]) -> [PhotoPrediction] {
        let good = photos.compactMap { try? $0.pixels.get() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        var predictions = predict(good.flatMap { $0 }).makeIterator()
        let share = good.isEmpty ? 0 : Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 / Double(good.count)
        return photos.map { photo in
            switch photo.pixels {
            case .success: PhotoPrediction(prediction: predictions.next(), milliseconds: photo.milliseconds + share)
            case .failure: PhotoPrediction(prediction: nil, milliseconds: photo.milliseconds)
            }
        }
    }
}
