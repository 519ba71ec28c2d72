import Foundation
import TestSupport
import Testing

/// What an administrator sees of the settings, against the real binary.
@Suite(.serialized) struct SettingsDaemonTests {
    /// A daemon on a fresh state directory reading `settings` from its YAML file, once it is ready.
    func started(_ tag: String, settings: String) throws -> (DaemonProcess, config: String) {
        let root = temporaryDirectory(tag)
        let config = "\(root)/fashionsortd.yaml"
        write(Array(settings.utf8), to: config)
        let daemon = try DaemonProcess(root: root, arguments: ["--model", smallModel(in: root), "--config", config])
        #expect(daemon.wait(for: "ready"))
        return (daemon, config)
    }

    @Test func startLineShowsEverySettingAndABadFileStopsTheStart() throws {
        let (daemon, config) = try started("settings-start", settings: "settle: 1.5\nreview-threshold: 0.7\n")
        let start = daemon.log.split(separator: "\n").first { $0.contains(" starting ") } ?? ""
        for field in ["review-threshold=0.7", "settle=1.5", "batch=256", "poll=off", "recursive=false", "instance=t"] {
            #expect(start.contains(field), "start line: \(start)")
        }
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)

        write(Array("settle: 1.5\nreview-threshold: 2\n".utf8), to: config)
        let bad = try DaemonProcess(root: daemon.root, arguments: ["--config", config])
        #expect(bad.waitExit(timeout: 10) == 1)
        #expect(bad.log.contains("\(config):2: review-threshold: 2 must be within 0…1"))
    }

    /// SIGHUP applies a changed threshold, says so once, and names a setting that needs a restart.
    @Test func reloadLogsWhatChangedAndWhatNeedsARestart() throws {
        let (daemon, config) = try started("settings-hup", settings: "review-threshold: 0.6\n")
        let root = daemon.root
        write(Array("review-threshold: 1\nsettle: 1\npoll: 9\n".utf8), to: config)
        daemon.signal(SIGHUP)
        #expect(daemon.wait(for: "model unchanged"))
        #expect(daemon.log.contains("setting changed new=1.0 old=0.6 setting=review-threshold source=\(config):1"))
        #expect(daemon.log.contains("needs a restart") && daemon.log.contains("setting=poll"))
        #expect(daemon.log.contains("setting changed new=1.0 old=2.0 setting=settle"))
        #expect(daemon.log.components(separatedBy: "SIGHUP").count == 2)
        // The new threshold is in effect: with 1.0 every photo goes to review.
        write(samplePNG(3), to: "\(root)/inbox/p.png")
        #expect(waitUntil(timeout: 10) { resultRows("\(root)/results").first?["status"] == "review" })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
    }

    /// Under systemd (stderr is the journal stream) each line starts with its priority and has no timestamp.
    @Test func journalLinesCarryTheirPriority() throws {
        let root = temporaryDirectory("journal")
        let log = temporaryDirectory("journal-log") + "/stderr"
        write([], to: log)
        var st = stat()
        stat(log, &st)
        let daemon = try DaemonProcess(
            root: root, arguments: ["--model", smallModel(in: root)],
            environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"], logPath: log)
        #expect(daemon.wait(for: "ready"))
        write(Array("not a photo".utf8), to: "\(root)/inbox/bad.jpg")
        #expect(daemon.wait(for: "rejected"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        let lines = daemon.log.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("<5>starting ") })
        #expect(lines.contains { $0.hasPrefix("<4>rejected ") && $0.contains("file=bad.jpg") })
        #expect(lines.allSatisfy { $0.hasPrefix("<") })
    }
}
