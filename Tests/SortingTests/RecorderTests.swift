import FashionModel
import FileSystem
import Foundation
import Inbox
import TestSupport
import Testing
@testable import Sorting

/// The single writer: rows with their own names and first files, recorded then filed, only ever into the
/// daemon's folders.
@Suite struct RecorderTests {
    func setUp(_ tag: String) throws -> (Layout, Recorder) {
        let root = temporaryDirectory(tag)
        let layout = Layout(root: root, instance: "t")
        try layout.create()
        return (layout, try Recorder(layout: layout, logger: quietLogger))
    }

    func claimed(_ layout: Layout, _ id: String, _ name: String, seed: Int) -> Claim {
        let work = "\(layout.work)/\(id)_\(name)"
        write(samplePNG(seed), to: work)
        return Claim(id: id, workPath: work, original: name, arrival: 0)
    }

    /// Two files of one name in one batch get two names; the second copy of a content names the first.
    @Test func aBatchGetsDistinctNamesAndItsFirstFiles() async throws {
        let (layout, recorder) = try setUp("recorder")
        let d = [("a", 1), ("b", 1)].map { id, seed in
            Decided(rejected: claimed(layout, id, "same.png", seed: seed), sha256: "s", reason: "test", kind: "test")
        }
        await recorder.commit(d, model: "m")
        let rows = resultRows(layout.results)
        #expect(Set(rows.map { $0["output"]! }) == ["\(layout.rejected)/same.png", "\(layout.rejected)/same-1.png"])
        #expect(rows.allSatisfy { FileManager.default.fileExists(atPath: $0["output"]!) })
        let processed = await recorder.stats.processed, error = await recorder.error
        #expect(processed == 2 && error == nil)
    }

    /// A row naming a folder that is not the daemon's (an edited CSV at recovery) files into rejected/.
    @Test func aFileIsNeverMovedOutsideTheDaemonsFolders() async throws {
        let (layout, recorder) = try setUp("recorder-outside")
        let claim = claimed(layout, "x", "photo.png", seed: 2)
        try await recorder.file(claim, recordedOutput: "/etc/photo.png")
        #expect(FileManager.default.fileExists(atPath: "\(layout.rejected)/photo.png"))
        #expect(!FileManager.default.fileExists(atPath: "/etc/photo.png"))
    }

    /// A name that was not UTF-8 is filed under the bytes the claim read, inside its folder.
    @Test func aFileGetsItsRealNameBack() async throws {
        let (layout, recorder) = try setUp("recorder-name")
        var claim = claimed(layout, "y", "caf%E9.png", seed: 3)
        claim.realName = Array("caf".utf8) + [0xE9] + Array(".png".utf8)
        try await recorder.file(claim, recordedOutput: "\(layout.other)/caf%E9.png")
        #expect(FileWalker.rawNames(in: layout.other) == [claim.realName!])
    }
}
