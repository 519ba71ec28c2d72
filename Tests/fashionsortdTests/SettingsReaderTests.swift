import ArgumentParser
import Foundation
import Logging
import TestSupport
import Testing
@testable import fashionsortd

@Suite struct SettingsReaderTests {
    func file(_ text: String) -> String {
        let path = temporaryDirectory("settings") + "/fashionsortd.yaml"
        write(Array(text.utf8), to: path)
        return path
    }

    @Test func defaultsApplyWhenNothingIsSet() async throws {
        let s = try await SettingsReader(environment: [:]).read()
        #expect(s.root == "/var/lib/fashionsort" && s.inboxPath == "/var/lib/fashionsort/inbox")
        #expect(
            s.reviewThreshold == nil && s.otherThreshold == nil && s.batch == 256 && s.poll == nil && !s.recursive
                && s.settle == 2)
        #expect(s.sources.isEmpty)
    }

    @Test func flagOutranksEnvironmentOutranksFileOutranksDefault() async throws {
        let path = file("root: /srv/a\nbatch: 8\nsettle: 7\nreview-threshold: 0.9  # a comment\n")
        let env = ["FASHIONSORT_BATCH": "16", "FASHIONSORT_SETTLE": "5"]
        let s = try await SettingsReader(flags: ["settle": "3"], environment: env, file: path).read()
        #expect(s.root == "/srv/a" && s.batch == 16 && s.settle == 3 && s.reviewThreshold == 0.9)
        #expect(s.sources["root"] == "\(path):1" && s.sources["review-threshold"] == "\(path):4")
        #expect(s.sources["batch"] == "environment FASHIONSORT_BATCH" && s.sources["settle"] == "--settle")
        #expect(s.sources["poll"] == nil)
        #expect(
            s.overridden == [
                "batch from \(path):2 is overridden by environment FASHIONSORT_BATCH",
                "settle from environment FASHIONSORT_SETTLE is overridden by --settle",
                "settle from \(path):3 is overridden by --settle",
            ])
    }

    @Test(arguments: [
        ("review-threshold: 2\n", ":1: review-threshold: 2 must be within 0…1"),
        ("batch: 0\n", ":1: batch: 0 must be positive"),
        ("\nbatch: many\n", ":2: batch: 'many' is not a whole number"),
        ("recursive: maybe\n", ":1: recursive: 'maybe' is not true or false (yes/no, on/off)"),
        ("reviewthreshold: 0.5\n", ":1: unknown setting 'reviewthreshold' (known: root, inbox,"),
        ("inbox: [a, b]\n", ":1: inbox: expected a single value"),
        ("- just\n- a list\n", ":1: expected 'key: value' lines"),
    ])
    func aBadFileValueNamesItsLine(_ text: String, _ message: String) async throws {
        let path = file(text)
        await #expect { try await SettingsReader(environment: [:], file: path).read() } throws: { error in
            "\(error)".hasPrefix(path + message)
        }
    }

    @Test func aBadEnvironmentValueOrFlagNamesItsSource() async throws {
        await #expect(
            throws: SettingsError(
                description: "environment FASHIONSORT_POLL: poll: -1 must be a positive number of seconds")
        ) {
            try await SettingsReader(environment: ["FASHIONSORT_POLL": "-1"]).read()
        }
        await #expect(
            throws: SettingsError(description: "--instance: instance: a/b must be a plain name (no '/', not hidden)")
        ) {
            try await SettingsReader(flags: ["instance": "a/b"], environment: [:]).read()
        }
    }

    @Test(arguments: [("yes", true), ("On", true), ("true", true), ("no", false), ("OFF", false), ("false", false)])
    func booleansTakeYAMLSpellings(_ text: String, _ value: Bool) async throws {
        let s = try await SettingsReader(environment: [:], file: file("recursive: \(text)\n")).read()
        #expect(s.recursive == value)
    }

    @Test func aMissingOrEmptyFileIsHandled() async throws {
        await #expect { try await SettingsReader(environment: [:], file: "/nonexistent/f.yaml").read() } throws: {
            "\($0)" == "/nonexistent/f.yaml: cannot read configuration file: no such file"
        }
        let s = try await SettingsReader(environment: [:], file: file("# nothing set yet\n")).read()
        #expect(s == DaemonSettings())
    }
}

@Suite struct DaemonLogHandlerTests {
    @Test func valuesThatWouldSplitAreQuoted() {
        #expect(DaemonLogHandler.quoted("coat.jpg") == "coat.jpg")
        #expect(DaemonLogHandler.quoted("my coat.jpg") == "\"my coat.jpg\"")
        #expect(DaemonLogHandler.quoted("a=\"b\"") == "\"a=\\\"b\\\"\"")
        #expect(DaemonLogHandler.quoted("") == "\"\"")
    }

    @Test func journalPrioritiesFollowSyslog() {
        #expect(
            [.debug, .info, .notice, .warning, .error, .critical].map(DaemonLogHandler.priority) == [7, 6, 5, 4, 3, 2])
        #expect(!DaemonLogHandler.stderrIsJournal(["JOURNAL_STREAM": "1:2"]))
        #expect(!DaemonLogHandler.stderrIsJournal([:]))
    }
}

/// The one table of settings is what `--help` and the README's settings table say.
@Suite struct SettingsTableTests {
    @Test func helpAndTheReadmeListEverySettingOfTheTable() throws {
        let help = Daemon.helpMessage()
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }.map {
            String($0.dropFirst(3).prefix { $0 != "`" })
        }
        for key in DaemonSettings.keys {
            #expect(help.contains("--\(key)"), "--help lacks \(key)")
            #expect(rows.contains(key), "the README's settings table lacks \(key)")
        }
    }

    @Test func flagsAreReadByTheTable() throws {
        #expect(
            try Daemon.flags(["--batch", "8", "--settle=3", "--recursive"]) == [
                "batch": "8", "settle": "3", "recursive": "true",
            ])
        #expect(throws: (any Error).self) { try Daemon.flags(["--bogus", "1"]) }
        #expect(throws: (any Error).self) { try Daemon.flags(["--batch"]) }
    }
}
