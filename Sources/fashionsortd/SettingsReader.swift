import Configuration
import Foundation
import SystemPackage
import Yams

/// A setting that cannot be used, named by its source: `--batch: …`,
/// `environment FASHIONSORT_BATCH: …` or `/etc/fashionsort/fashionsortd.yaml:4: …`.
struct SettingsError: Error, Equatable, CustomStringConvertible {
    let description: String
}

/// Reads `DaemonSettings` from, in falling priority, flags, `FASHIONSORT_*`
/// environment variables and a YAML file, each a swift-configuration provider.
struct SettingsReader: Sendable {
    /// Flag values as given, by setting key.
    var flags: [String: String] = [:]
    var environment: [String: String] = ProcessInfo.processInfo.environment
    var file: String?

    /// One provider and how to name it in an error or the start line.
    struct Layer {
        let reader: ConfigReader
        let source: (String, String) -> String
    }

    func read() async throws(SettingsError) -> DaemonSettings {
        var layers = [
            Layer(
                reader: ConfigReader(
                    provider: InMemoryProvider(
                        name: "flags",
                        values: Dictionary(
                            uniqueKeysWithValues: flags.map {
                                (AbsoluteConfigKey(ConfigKey($0.key)), ConfigValue(.string($0.value), isSecret: false))
                            }))),
                source: { key, _ in "--\(key)" }),
            Layer(
                reader: ConfigReader(
                    provider: EnvironmentVariablesProvider(
                        environmentVariables: environment.filter { !$0.value.isEmpty }
                    ).prefixKeys(with: "fashionsort")),
                source: { _, variable in "environment \(variable)" }),
        ]
        if let file { layers += try await fileLayer(file) }
        var s = DaemonSettings()
        for field in DaemonSettings.all { try field.take(from: layers, into: &s) }
        return s
    }

    /// The first layer that has the setting, its value parsed and checked, and the lower layers it outranks.
    static func resolve<V>(
        _ setting: Setting<V>, in layers: [Layer]
    ) throws(SettingsError) -> (V, String, hidden: [String])? {
        for (i, layer) in layers.enumerated() {
            let source = layer.source(setting.key, setting.environmentName)
            guard let text = layer.reader.string(forKey: ConfigKey(setting.key)) else { continue }
            guard let value = setting.parse(text) else {
                throw SettingsError(description: "\(source): \(setting.key): '\(text)' is not \(setting.expected)")
            }
            if let problem = setting.check(value) {
                throw SettingsError(description: "\(source): \(setting.key): \(text) \(problem)")
            }
            let hidden = layers[(i + 1)...].filter { $0.reader.string(forKey: ConfigKey(setting.key)) != nil }
            return (value, source, hidden.map { $0.source(setting.key, setting.environmentName) })
        }
        return nil
    }

    /// The YAML file as a layer, after checking it holds only known keys (named with their line); read and
    /// parsed once.
    private func fileLayer(_ path: String) async throws(SettingsError) -> [Layer] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw SettingsError(description: "\(path): cannot read configuration file: \(reason)")
        }
        var lines: [String: Int] = [:], values: [AbsoluteConfigKey: ConfigValue] = [:]
        do {
            guard let root = try Yams.compose(yaml: String(decoding: data, as: UTF8.self)) else { return [] }
            guard let mapping = root.mapping else {
                throw SettingsError(description: "\(path):\(root.mark?.line ?? 1): expected 'key: value' lines")
            }
            for (key, value) in mapping {
                let line = key.mark?.line ?? 0
                guard let name = key.string, DaemonSettings.keys.contains(name) else {
                    throw SettingsError(
                        description: "\(path):\(line): unknown setting '\(key.string ?? "?")' "
                            + "(known: \(DaemonSettings.keys.joined(separator: ", ")))")
                }
                guard let scalar = value.scalar else {
                    throw SettingsError(description: "\(path):\(line): \(name): expected a single value")
                }
                lines[name] = line
                values[AbsoluteConfigKey(ConfigKey(name))] = ConfigValue(.string(scalar.string), isSecret: false)
            }
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError(description: "\(path): not valid YAML: \(error)")
        }
        let provider = InMemoryProvider(name: path, values: values)
        return [Layer(reader: ConfigReader(provider: provider), source: { key, _ in "\(path):\(lines[key] ?? 0)" })]
    }
}
