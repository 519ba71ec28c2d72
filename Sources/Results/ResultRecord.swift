import FashionModel
import Foundation

/// One row of the results CSV (its columns are explained in the README).
public struct ResultRecord: Sendable {
    public enum Status: String, CaseIterable, Sendable {
        case classified, review, other, rejected

        /// A decoded photo's status: where the operating point sends it.
        public init(_ disposition: OperatingPoint.Disposition) {
            self =
                switch disposition {
                case .classified: .classified
                case .review: .review
                case .other: .other
                }
        }
    }

    public var time: String
    public var file: String
    public var sha256: String
    public var status: Status
    public var prediction: Prediction?
    public var output: String
    public var model: String
    public var milliseconds: Double
    public var error: String
    /// The daemon marks content it has seen before.
    public var duplicateOf: String = ""
    /// The daemon's claim id, which names the file in work/ (crash recovery).
    public var id: String = ""
    /// Which threshold sent a decoded photo to review/ or other/, with both figures; empty otherwise.
    public var heldBackBy: String = ""

    public init(
        time: String, file: String, sha256: String, status: Status, prediction: Prediction?,
        output: String = "", model: String, milliseconds: Double, error: String = ""
    ) {
        self.time = time; self.file = file; self.sha256 = sha256; self.status = status
        self.prediction = prediction; self.output = output; self.model = model
        self.milliseconds = milliseconds; self.error = error
    }

    /// A decoded photo's status and why, where `point` sends it.
    public mutating func decide(_ point: OperatingPoint) {
        guard let p = prediction else { return }
        status = Status(point.disposition(p))
        heldBackBy = point.reason(p)
    }

    /// Every column a results file has, by its header name: the one list the CSV writer and reader, the
    /// index and `classify --json` go by.
    public enum Column: String, CaseIterable, Sendable {
        case time, file, sha256, status, label, `class`, confidence
        case secondClass = "second_class"
        case secondConfidence = "second_confidence"
        case output, model, ms, error
        case duplicateOf = "duplicate_of"
        case id
        case noneOfThese = "none_of_these"
        case heldBackBy = "held_back_by"

        /// A number (JSON writes it unquoted, null when empty).
        public var isNumeric: Bool { [.label, .confidence, .secondConfidence, .ms, .noneOfThese].contains(self) }
    }

    /// The daemon's columns; `classify` leaves out `time`, `output`, `duplicate_of` and `id`. New columns go
    /// at the end, so a reader by position keeps working.
    public static let daemonColumns = Column.allCases.map(\.rawValue)
    public static let classifyColumns = Column.allCases.filter { ![.time, .output, .duplicateOf, .id].contains($0) }
        .map(\.rawValue)

    /// The column names of a results CSV from its first line: the header when it names the columns the index
    /// needs (id, file, sha256), else the daemon's own columns when the line is a row of that many fields
    /// (a header someone removed: the line is then a row); nil for a file that is not ours.
    public static func columns(ofFirstLine line: some Collection<UInt8>) -> [String]? {
        let fields = CSV.parse(String(decoding: line, as: UTF8.self)).first ?? []
        if Set([Column.id, .file, .sha256].map(\.rawValue)).isSubset(of: fields) { return fields }
        return fields.count == daemonColumns.count ? daemonColumns : nil
    }

    /// Whether a column of `classify`'s output (with `--top`'s extra ones) holds numbers.
    public static func isNumeric(_ name: String) -> Bool {
        Column(rawValue: name)?.isNumeric ?? name.hasPrefix("confidence_")
    }

    /// Extra ranked classes beyond the second, for `--top K`.
    public static func extraColumns(top: Int) -> [String] {
        top <= 2 ? [] : (3...top).flatMap { ["class_\($0)", "confidence_\($0)"] }
    }

    /// This row's value in `column`.
    public func value(_ column: Column) -> String {
        let p = prediction
        func conf(_ c: Float) -> String { TextFormat.fixed(Double(c), places: 4) }
        return switch column {
        case .time: time
        case .file: file
        case .sha256: sha256
        case .status: status.rawValue
        case .label: p.map { String($0.best.label.rawValue) } ?? ""
        case .class: p.map { $0.best.label.name } ?? ""
        case .confidence: p.map { conf($0.best.confidence) } ?? ""
        case .secondClass: p.map { $0.second.label.name } ?? ""
        case .secondConfidence: p.map { conf($0.second.confidence) } ?? ""
        case .output: output
        case .model: model
        case .ms: TextFormat.fixed(milliseconds, places: 1)
        case .error: error
        case .duplicateOf: duplicateOf
        case .id: id
        case .noneOfThese: p.map { conf($0.noneOfThese) } ?? ""
        case .heldBackBy: heldBackBy
        }
    }

    public func values(_ columns: [String], top: Int = 2) -> [String] {
        func conf(_ c: Float) -> String { TextFormat.fixed(Double(c), places: 4) }
        var out = columns.map { Column(rawValue: $0).map(value) ?? "" }
        if top > 2 {
            for k in 3...top {
                if let p = prediction, k <= p.ranked.count {
                    out += [p.ranked[k - 1].label.name, conf(p.ranked[k - 1].confidence)]
                } else {
                    out += ["", ""]
                }
            }
        }
        return out
    }
}
