import Foundation
import TestSupport
import Testing

@Suite struct StatusCommandTests {
    @Test func rootWithoutADaemonIsNamed() throws {
        let run = try fashionsort(["status", "--root", "/nonexistent/state"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("/nonexistent/state/status.json"))
    }

    /// The real daemon (with the shipped model) takes one photo and stops; status tells what it did.
    @Test func showsWhatTheDaemonDid() throws {
        let root = temporaryDirectory("status")
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: builtProduct("fashionsortd"))
        daemon.arguments = ["--root", root, "--instance", "st"]
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(waitUntil(timeout: 20) { FileManager.default.fileExists(atPath: "\(root)/inbox") })
        try FileManager.default.copyItem(atPath: "\(samples)/bag-18-rgb.png", toPath: "\(root)/inbox/bag-18-rgb.png")
        #expect(waitUntil(timeout: 20) { FileManager.default.fileExists(atPath: "\(root)/out/bag/bag-18-rgb.png") })
        daemon.terminate()
        daemon.waitUntilExit()

        let run = try fashionsort(["status", "--root", root])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("fashionsortd st — stopped"))
        #expect(run.stdout.contains("processed 1 file ("))
        #expect(run.stdout.contains("by class: bag 1"))
    }
}
