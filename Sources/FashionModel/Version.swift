import Foundation

/// What `--version` prints for both binaries.
public enum Version {
    public static let number = "0.7.0"

    /// The version and the id of the model used when none is named.
    public static var text: String {
        let id = FileManager.default.contents(atPath: Model.defaultPath).map { Model.contentID([UInt8]($0)) }
        return "\(number) (default model \(id ?? "missing: \(Model.defaultPath)"))"
    }
}
