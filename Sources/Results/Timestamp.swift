import Foundation
import Synchronization

/// UTC times as the CSV writes them: ISO 8601 with milliseconds.
public enum Timestamp {
    /// One formatter, made once: building one per row cost more than the row.
    private static let formatter = Mutex<ISO8601DateFormatter>(
        {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return f
        }())

    public static func string(_ d: Date) -> String { formatter.withLock { $0.string(from: d) } }

    /// The UTC day, `YYYY-MM-DD`, that names a results file.
    public static func day(_ d: Date) -> String { day(ofTime: string(d)) }

    /// The day of a time this type wrote: a row goes to the file of the day it was decided, by one clock.
    public static func day(ofTime time: String) -> String { String(time.prefix(10)) }
}
