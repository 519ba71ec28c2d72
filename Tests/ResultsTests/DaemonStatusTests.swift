import FileSystem
import Foundation
import TestSupport
import Testing
@testable import Results

@Suite struct DaemonStatusTests {
    let status = DaemonStatus(
        instance: "shop \"1\"", state: .running, model: "34620aad6c418607", uptimeSeconds: 61, queueDepth: 3,
        processed: 42, byStatus: ["classified": 40, "rejected": 2], byClass: ["coat": 40],
        rejectedByKind: ["corrupt": 2], duplicates: 1, filesPerSecond: 0.689, latencyMs: .init(p50: 4.7, p99: 8.2),
        updated: Date(timeIntervalSince1970: 1_764_633_600))

    @Test func jsonRoundTripsWithSnakeCaseKeysAndEscapedText() throws {
        let bytes = status.json()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"queue_depth\" : 3") && text.contains("\"instance\" : \"shop \\\"1\\\"\""))
        #expect(text.contains("\"updated\" : \"2025-12-02T00:00:00Z\""))
        #expect(try DaemonStatus.decode(bytes) == status)
    }

    @Test func readNamesTheFileItCannotUse() throws {
        let dir = temporaryDirectory("status")
        write(Array("{\"state\": 1}".utf8), to: "\(dir)/status.json")
        #expect(throws: FileSystemError.self) { try DaemonStatus.read(from: "\(dir)/status.json") }
        try status.write(status: "\(dir)/status.json", metrics: "\(dir)/metrics.prom")
        #expect(try DaemonStatus.read(from: "\(dir)/status.json") == status)
        let metrics = try String(contentsOfFile: "\(dir)/metrics.prom", encoding: .utf8)
        #expect(
            metrics.contains("fashionsort_files_total{instance_name=\"shop \\\"1\\\"\",status=\"classified\"} 40.0"))
        #expect(metrics.contains("fashionsort_error{instance_name=\"shop \\\"1\\\"\"} 0.0"))
    }
}
