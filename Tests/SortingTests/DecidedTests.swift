import FashionModel
import ImageIntake
import Inbox
import Results
import Testing
@testable import Sorting

/// Where a photo goes, as a pure function of its decode, its prediction and the operating point.
@Suite struct DecidedTests {
    let claim = Claim(id: "c1", workPath: "/w/c1_a.png", original: "a.png", arrival: 0)
    let point = OperatingPoint(other: 0.2, review: 0.6, noneOfThese: 0.3)

    func photo(_ pixels: Result<[Float], IntakeError> = .success([])) -> PreparedPhoto {
        PreparedPhoto(file: "/w/c1_a.png", sha256: "ab", pixels: pixels, milliseconds: 2)
    }

    /// Ten class probabilities with `top` for a coat and the rest spread; what they leave is "none of these".
    func prediction(top: Float, rest: Float) -> PhotoPrediction {
        var row = [Float](repeating: rest / 9, count: 10)
        row[FashionClass.coat.rawValue] = top
        return PhotoPrediction(prediction: Prediction(probabilities: row[...]), milliseconds: 1)
    }

    @Test func aSurePhotoGoesToItsClass() {
        let d = Decided.decide(claim, photo: photo(), prediction(top: 0.9, rest: 0.1), point: point)
        #expect(d.status == .classified && d.destination == .out(.coat) && d.heldBackBy.isEmpty)
    }

    @Test func anUnsurePhotoGoesToReviewWithItsReason() {
        let d = Decided.decide(claim, photo: photo(), prediction(top: 0.5, rest: 0.45), point: point)
        #expect(d.status == .review && d.destination == .review(.coat))
        #expect(d.heldBackBy == "confidence 0.500 < 0.600")
    }

    @Test func aPhotoOfNoClassGoesToOtherWithItsShare() {
        let d = Decided.decide(claim, photo: photo(), prediction(top: 0.5, rest: 0.1), point: point)
        #expect(d.status == .other && d.destination == .other)
        #expect(d.heldBackBy == "none of these 0.400 >= 0.300")
    }

    @Test func anUndecodableFileIsRejectedWithItsCause() {
        let failed = photo(.failure(.empty(file: "/w/c1_a.png")))
        let d = Decided.decide(claim, photo: failed, PhotoPrediction(prediction: nil, milliseconds: 0), point: point)
        #expect(d.status == .rejected && d.destination == .rejected && d.error == "empty file (0 bytes)")
        #expect(d.rejectKind == "empty" && !d.isDecoded)
    }
}
