import Inbox

/// Data rows of a CSV as dictionaries keyed by its header, parsed by the
/// daemon's own RFC 4180 reader. Every row is kept, so a malformed one shows up.
public func csvRows(_ text: String) -> [[String: String]] {
    let lines = CSV.parse(text)
    guard let header = lines.first else { return [] }
    return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}
