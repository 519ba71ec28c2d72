import Foundation
import TestSupport
import Testing

@Suite struct StatusCommandTests {
    @Test func rootWithoutADaemonIsNamed() throws {
        let run = try fashionsort(["status", "--root", "/nonexistent/state"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("/nonexistent/state/status.json"))
    }

    @Test func instanceNamesTheTemplateUnitsStateDirectory() throws {
        let run = try fashionsort(["status", "--instance", "no-such-shop"])
        #expect(run.status == 1 && run.stderr.contains("/var/lib/fashionsort/no-such-shop/status.json"))
        #expect(try fashionsort(["status", "--instance", "a/b"]).status == 64)
    }

    /// The real daemon (with the shipped model, nothing held back) takes one photo and stops; status tells what it did.
    @Test func showsWhatTheDaemonDid() throws {
        let root = temporaryDirectory("status")
        let everythingFiled = ["--review-threshold", "0", "--other-threshold", "0", "--none-of-these-threshold", "1"]
        let daemon = try DaemonProcess(root: root, instance: "st", arguments: everythingFiled)
        #expect(daemon.wait(for: "ready"))
        try FileManager.default.copyItem(atPath: "\(samples)/bag-18-rgb.png", toPath: "\(root)/inbox/bag-18-rgb.png")
        #expect(waitUntil(timeout: 20) { FileManager.default.fileExists(atPath: "\(root)/out/bag/bag-18-rgb.png") })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 20) == 0)

        let run = try fashionsort(["status", "--root", root])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("fashionsortd st — stopped"))
        #expect(run.stdout.contains("processed 1 file ("))
        #expect(run.stdout.contains("by class: bag 1"))
    }
}
