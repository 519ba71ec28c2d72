import Configuration
import Foundation

/// One daemon setting, declared once: its key (flag `--key`, environment `FASHIONSORT_KEY`, YAML `key:`),
/// the field of `DaemonSettings` it sets, its default, its help text, how its text is read and checked,
/// how the start line shows it, and whether a reload can change it. `DaemonSettings.all` lists them; the
/// flags, `--help`, the reader, the start line and reloads all go through that list.
struct Setting<Value: Sendable & Equatable>: SettingField {
    enum Reload: Sendable { case live, restart }

    let key: String
    let help: String
    /// What `--help` says the default is.
    let defaultText: String
    /// The placeholder `--help` shows for the value; nil for a flag that takes none.
    let valueName: String?
    let reload: Reload
    let parse: @Sendable (String) -> Value?
    /// The expected form, for an error ("a number", "true or false").
    let expected: String
    /// A problem with a parsed value, or nil.
    let check: @Sendable (Value) -> String?
    let apply: @Sendable (inout DaemonSettings, Value) -> Void
    let show: @Sendable (DaemonSettings) -> String

    var environmentName: String { "FASHIONSORT_" + key.uppercased().replacingOccurrences(of: "-", with: "_") }
    var restart: Bool { reload == .restart }
    var takesValue: Bool { valueName != nil }

    /// One entry of `--help`'s settings list.
    var helpLine: String {
        "--\(key)" + (valueName.map { " <\($0)>" } ?? "") + ": \(help) (default: \(defaultText); \(environmentName))"
    }

    func value(in s: DaemonSettings) -> String { show(s) }

    func take(from layers: [SettingsReader.Layer], into s: inout DaemonSettings) throws(SettingsError) {
        guard let (value, source, hidden) = try SettingsReader.resolve(self, in: layers) else { return }
        apply(&s, value)
        s.sources[key] = source
        s.overridden += hidden.map { "\(key) from \($0) is overridden by \(source)" }
    }

    func keep(_ field: DaemonSettings, in s: inout DaemonSettings) { copyField(field, &s) }
    private let copyField: @Sendable (DaemonSettings, inout DaemonSettings) -> Void

    init(
        _ key: String, _ path: WritableKeyPath<DaemonSettings, Value> & Sendable, help: String, defaultText: String,
        valueName: String?, reload: Reload, parse: @escaping @Sendable (String) -> Value?, expected: String,
        check: @escaping @Sendable (Value) -> String? = { _ in nil }, show: (@Sendable (Value) -> String)? = nil
    ) {
        self.key = key; self.help = help; self.defaultText = defaultText; self.valueName = valueName
        self.reload = reload; self.parse = parse; self.expected = expected; self.check = check
        apply = { $0[keyPath: path] = $1 }
        self.show = { s in show?(s[keyPath: path]) ?? "\(s[keyPath: path])" }
        copyField = { from, to in to[keyPath: path] = from[keyPath: path] }
    }

    /// A setting whose field is optional: unset means "the default says" (`show` names what it means then).
    init(
        _ key: String, _ path: WritableKeyPath<DaemonSettings, Value?> & Sendable, help: String, defaultText: String,
        valueName: String, reload: Reload, parse: @escaping @Sendable (String) -> Value?, expected: String,
        check: @escaping @Sendable (Value) -> String? = { _ in nil }, unset: String
    ) {
        self.key = key; self.help = help; self.defaultText = defaultText; self.valueName = valueName
        self.reload = reload; self.parse = parse; self.expected = expected; self.check = check
        apply = { $0[keyPath: path] = $1 }
        show = { s in s[keyPath: path].map { "\($0)" } ?? unset }
        copyField = { from, to in to[keyPath: path] = from[keyPath: path] }
    }
}

/// A setting whatever its value's type, as `DaemonSettings.all` lists them.
protocol SettingField: Sendable {
    var key: String { get }
    var restart: Bool { get }
    var takesValue: Bool { get }
    var helpLine: String { get }
    /// How the start line and reload diffs show the setting's value in `s`.
    func value(in s: DaemonSettings) -> String
    /// Reads the setting from the first layer that has it (see `SettingsReader`) into `s`.
    func take(from layers: [SettingsReader.Layer], into s: inout DaemonSettings) throws(SettingsError)
    /// Sets the field in `s` to its value in `field` (a reload keeps the settings that need a restart).
    func keep(_ field: DaemonSettings, in s: inout DaemonSettings)
}

/// The readers and checks settings share.
enum SettingText {
    static func text(_ t: String) -> String? { t.isEmpty ? nil : t }

    static func seconds(_ t: String) -> Double? { Double(t) }
    static func positiveSeconds(_ v: Double) -> String? {
        v > 0 && v.isFinite ? nil : "must be a positive number of seconds"
    }

    /// YAML 1.1's spellings; anything else is refused rather than read as false.
    static func bool(_ t: String) -> Bool? {
        switch t.lowercased() {
        case "true", "yes", "on", "y": true
        case "false", "no", "off", "n": false
        default: nil
        }
    }

    static func share(_ t: String) -> Float? { Float(t) }
    static func withinOne(_ v: Float) -> String? { (0...1).contains(v) ? nil : "must be within 0…1" }
}
