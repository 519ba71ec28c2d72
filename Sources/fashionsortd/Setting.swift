import Configuration
import Foundation

/// One daemon setting, declared once: its key (flag `--key`, environment
/// `FASHIONSORT_KEY`, YAML `key:`), its default, its help text, how its text
/// is read and checked, and whether a reload can change it.
struct Setting<Value: Sendable & Equatable>: Sendable {
    enum Reload: Sendable { case live, restart }

    let key: String
    let help: String
    /// What `--help` says the default is.
    let defaultText: String
    let reload: Reload
    let parse: @Sendable (String) -> Value?
    /// The expected form, for an error ("a number", "true or false").
    let expected: String
    /// A problem with a parsed value, or nil.
    let check: @Sendable (Value) -> String?

    var environmentName: String { "FASHIONSORT_" + key.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// The help text `--help` shows, ending with the default and the environment variable.
    var argumentHelp: String { "\(help) (default: \(defaultText); \(environmentName))" }
}

/// A setting together with the field of `DaemonSettings` it sets, whatever its value's type.
protocol SettingField {
    var key: String { get }
    var restart: Bool { get }
    /// Reads the setting from the first layer that has it (see `SettingsReader`) into `settings`.
    func take(from layers: [SettingsReader.Layer], into settings: inout DaemonSettings) throws(SettingsError)
}

struct Field<Value: Sendable & Equatable>: SettingField {
    let setting: Setting<Value>
    let apply: (inout DaemonSettings, Value) -> Void

    init(_ setting: Setting<Value>, _ path: WritableKeyPath<DaemonSettings, Value>) {
        self.setting = setting
        apply = { $0[keyPath: path] = $1 }
    }

    init(_ setting: Setting<Value>, _ path: WritableKeyPath<DaemonSettings, Value?>) {
        self.setting = setting
        apply = { $0[keyPath: path] = $1 }
    }

    var key: String { setting.key }
    var restart: Bool { setting.reload == .restart }

    func take(from layers: [SettingsReader.Layer], into s: inout DaemonSettings) throws(SettingsError) {
        guard let (value, source, hidden) = try SettingsReader.resolve(setting, in: layers) else { return }
        apply(&s, value)
        s.sources[key] = source
        s.overridden += hidden.map { "\(key) from \($0) is overridden by \(source)" }
    }
}

extension Setting where Value == String {
    static func text(_ key: String, _ help: String, default d: String, reload: Reload = .restart) -> Self {
        Setting(
            key: key, help: help, defaultText: d, reload: reload, parse: { $0.isEmpty ? nil : $0 },
            expected: "a non-empty text", check: { _ in nil })
    }
}

extension Setting where Value == Double {
    static func seconds(_ key: String, _ help: String, default d: String, reload: Reload = .live) -> Self {
        Setting(
            key: key, help: help, defaultText: d, reload: reload, parse: { Double($0) }, expected: "a number",
            check: { $0 > 0 && $0.isFinite ? nil : "must be a positive number of seconds" })
    }
}

extension Setting where Value == Bool {
    /// YAML 1.1's spellings; anything else is refused rather than read as false.
    static func flag(_ key: String, _ help: String, reload: Reload = .restart) -> Self {
        Setting(
            key: key, help: help, defaultText: "false", reload: reload,
            parse: { text in
                switch text.lowercased() {
                case "true", "yes", "on", "y": true
                case "false", "no", "off", "n": false
                default: nil
                }
            }, expected: "true or false (yes/no, on/off)", check: { _ in nil })
    }
}

extension Setting where Value == Float {
    /// A confidence threshold that defaults to the one stored in the model (0.6 and none for older models).
    static func share(_ key: String, _ help: String) -> Self {
        Setting(
            key: key, help: help, defaultText: "the model's", reload: .live, parse: { Float($0) },
            expected: "a number", check: { (0...1).contains($0) ? nil : "must be within 0…1" })
    }
}
