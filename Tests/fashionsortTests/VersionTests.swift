import Foundation
import TestSupport
import Testing

@Suite struct VersionTests {
    /// Both binaries name their version and the model they use when none is given.
    @Test func bothBinariesPrintTheVersionAndTheDefaultModel() throws {
        let cli = try fashionsort(["--version"])
        #expect(cli.status == 0 && cli.stdout.hasPrefix("0.7.0 (default model ") && cli.stdout.count > 30)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: DaemonProcess.binary)
        daemon.arguments = ["--version"]
        let out = Pipe()
        daemon.standardOutput = out
        try daemon.run()
        daemon.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(daemon.terminationStatus == 0 && text == cli.stdout)
    }
}
