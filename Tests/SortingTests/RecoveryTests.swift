import Foundation
import Inbox
import TestSupport
import Testing
@testable import Sorting

/// What a restart finds in work/: recorded files only moved, the rest processed again, a file that killed
/// the daemon twice quarantined.
@Suite struct RecoveryTests {
    @Test func recoveryRedoesOnlyTheMoveForRecordedFiles() async throws {
        let root = temporaryDirectory("recover")
        let clock = Clock("2026-11-25T10:00:00Z")
        var p = try makePipeline(root, clock: clock)
        write(samplePNG(2), to: "\(root)/inbox/done.png")
        write(samplePNG(3), to: "\(root)/inbox/pending.png")
        let claims = p.claim(queued("\(root)/inbox/done.png", "\(root)/inbox/pending.png"))
        await p.process([claims[0]])
        // Simulate a crash after recording but before filing: put the file back in work/.
        let row = resultRows("\(root)/results")[0]
        try FileManager.default.moveItem(atPath: row["output"]!, toPath: claims[0].workPath)

        p = try makePipeline(root, clock: clock)  // restart
        let again = await p.recover()
        #expect(again.map(\.original) == ["pending.png"])
        #expect(FileManager.default.fileExists(atPath: row["output"]!))
        await p.process(again)
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 2 && Set(rows.map { $0["file"]! }) == ["done.png", "pending.png"])
    }

    /// A name the claim id makes too long for work/ keeps its real name through a restart.
    @Test func aLongNameSurvivesRecovery() async throws {
        let root = temporaryDirectory("long")
        let clock = Clock("2026-11-25T10:00:00Z")
        var p = try makePipeline(root, clock: clock)
        let name = String(repeating: "n", count: 251) + ".png"
        write(samplePNG(7), to: "\(root)/inbox/\(name)")
        let claims = p.claim(queued("\(root)/inbox/\(name)"))
        #expect(claims.count == 1 && claims[0].original == name)
        p = try makePipeline(root, clock: clock)  // the daemon died before decoding it
        let again = await p.recover()
        #expect(again.map(\.original) == [name])
        await p.process(again)
        let output = resultRows("\(root)/results").first?["output"] ?? ""
        #expect(output.hasSuffix("/" + name) && FileManager.default.fileExists(atPath: output))
    }

    @Test func aFileThatKilledTheDaemonTwiceIsQuarantined() async throws {
        let root = temporaryDirectory("quarantine")
        let clock = Clock("2026-11-25T10:00:00Z")
        var p = try makePipeline(root, clock: clock)
        write(samplePNG(4), to: "\(root)/inbox/poison.png")
        let c = p.claim(queued("\(root)/inbox/poison.png"))[0]
        // Two decode attempts noted, no row: the daemon died twice on it.
        try (c.id + "\n" + c.id + "\n").write(toFile: "\(root)/work/test/.attempts", atomically: false, encoding: .utf8)
        p = try makePipeline(root, clock: clock)
        #expect(await p.recover().isEmpty)
        let rows = resultRows("\(root)/results")
        #expect(rows.count == 1 && rows[0]["status"] == "rejected" && rows[0]["error"]!.contains("quarantined"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/rejected/poison.png"))
    }
}
