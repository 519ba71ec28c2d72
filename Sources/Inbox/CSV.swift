import Foundation

/// RFC 4180 CSV fields, safe to open in a spreadsheet.
public enum CSV {
    /// Quotes a field when needed and neutralises spreadsheet formulas: a
    /// leading `= + - @`, tab or CR gets a `'` prefix (OWASP "CSV injection").
    public static func field(_ s: String) -> String {
        var v = s
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(v) == nil {
            v = "'" + v
        }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}

