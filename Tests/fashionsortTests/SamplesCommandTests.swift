import Foundation
import TestSupport
import Testing

@Suite struct SamplesCommandTests {
    /// samples/ is what `fashionsort samples` makes: the same files and manifest.
    @Test func regeneratesTheCommittedSamples() throws {
        let dir = temporaryDirectory("samples")
        let run = try fashionsort(["samples", "-o", dir])
        #expect(run.status == 0, "\(run.stderr)")
        let made = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(made == (try FileManager.default.contentsOfDirectory(atPath: samples).sorted()))
        #expect(
            try String(contentsOfFile: "\(dir)/manifest.csv", encoding: .utf8)
                == (try String(contentsOfFile: "\(samples)/manifest.csv", encoding: .utf8)))
    }
}
