import FashionModel
import ImageIntake
import Inbox
import Results

/// A claimed file, read and classified (or not), and where it goes: the pure part of sorting.
public struct Decided: Sendable {
    public enum Destination: Sendable, Equatable {
        case out(FashionClass)
        case review(FashionClass)
        case other, rejected
    }

    public var claim: Claim
    public var sha256: String
    public var prediction: Prediction?
    public var milliseconds: Double
    public var status: ResultRecord.Status
    public var destination: Destination
    /// Which threshold held a decoded photo back, with both figures; empty otherwise.
    public var heldBackBy = ""
    /// Why a rejected file was rejected.
    public var error = ""
    /// `IntakeError.kind` of a rejected file, for the metrics.
    public var rejectKind: String?

    public var isDecoded: Bool { prediction != nil }

    /// Where `point` sends a photo: its class folder, review/, other/, or rejected/ when it was not decoded.
    public static func decide(
        _ claim: Claim, photo: PreparedPhoto, _ result: PhotoPrediction, point: OperatingPoint
    )
        -> Decided
    {
        guard case .success = photo.pixels, let p = result.prediction else {
            let reason: String, kind: String
            if case .failure(let e) = photo.pixels {
                (reason, kind) = (e.reason, e.kind)
            } else {
                (reason, kind) = ("not classified", "unclassified")
            }
            return Decided(
                rejected: claim, sha256: photo.sha256, milliseconds: photo.milliseconds, reason: reason, kind: kind)
        }
        let status = ResultRecord.Status(point.disposition(p))
        var d = Decided(
            claim: claim, sha256: photo.sha256, prediction: p, milliseconds: result.milliseconds, status: status,
            destination: status == .review ? .review(p.best.label) : status == .other ? .other : .out(p.best.label))
        d.heldBackBy = point.reason(p)
        return d
    }

    private init(
        claim: Claim, sha256: String, prediction: Prediction?, milliseconds: Double, status: ResultRecord.Status,
        destination: Destination
    ) {
        self.claim = claim; self.sha256 = sha256; self.prediction = prediction; self.milliseconds = milliseconds
        self.status = status; self.destination = destination
    }

    /// A file that goes to rejected/ with `reason`.
    public init(rejected claim: Claim, sha256: String = "", milliseconds: Double = 0, reason: String, kind: String) {
        self.init(
            claim: claim, sha256: sha256, prediction: nil, milliseconds: milliseconds, status: .rejected,
            destination: .rejected)
        error = reason
        rejectKind = kind
    }
}
