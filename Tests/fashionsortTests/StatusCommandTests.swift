import Foundation
import Testing

@Suite struct StatusCommandTests {
    @Test func rootWithoutADaemonIsNamed() throws {
        let run = try fashionsort(["status", "--root", "/nonexistent/state"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("/nonexistent/state/status.json"))
    }
}
