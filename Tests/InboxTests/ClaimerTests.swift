import Foundation
import Logging
import TestSupport
import Testing
@testable import Inbox

/// The claim: exactly one claimer takes a file, and only the regular file it looked at, reached from the
/// inbox without following a link. (The attacks against the real binary are in HostileUploadTests.)
@Suite struct ClaimerTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func claimer(_ root: String, instance: String = "test") throws -> Claimer {
        let layout = Layout(root: root, instance: instance)
        try layout.create()
        return Claimer(layout: layout, clock: { Date().addingTimeInterval(60) }, logger: logger)
    }

    @Test func oneOfTwoClaimersTakesAFile() throws {
        let root = temporaryDirectory("claim")
        let a = try claimer(root), b = try claimer(root, instance: "other")
        write(samplePNG(5), to: "\(root)/inbox/x.png")
        let file = QueuedFile(relative: "x.png", arrival: 0)
        #expect(a.claim([file]).count + b.claim([file]).count == 1)
    }

    @Test func onlyRegularFilesReachedWithoutALinkAreTaken() throws {
        let root = temporaryDirectory("claim-kinds"), inbox = "\(root)/inbox"
        let c = try claimer(root)
        try FileManager.default.createDirectory(atPath: "\(root)/elsewhere", withIntermediateDirectories: true)
        write(samplePNG(1), to: "\(root)/elsewhere/photo.png")
        symlink("\(root)/elsewhere", "\(inbox)/linked")
        symlink("\(root)/elsewhere/photo.png", "\(inbox)/link.png")
        mkfifo("\(inbox)/pipe.png", 0o644)
        write(samplePNG(2), to: "\(inbox)/real.png")
        let files = ["linked/photo.png", "link.png", "pipe.png", "real.png"].map {
            QueuedFile(relative: $0, arrival: 0)
        }
        #expect(c.claim(files).map(\.original) == ["real.png"])
        #expect(FileManager.default.fileExists(atPath: "\(root)/elsewhere/photo.png"))
    }

    /// A file with another link is replaced in work/ by a private copy: one link, the same bytes.
    @Test func aFileWithAnotherLinkIsCopied() throws {
        let root = temporaryDirectory("claim-link")
        let c = try claimer(root)
        write(samplePNG(3), to: "\(root)/keep.png")
        link("\(root)/keep.png", "\(root)/inbox/a.png")
        let claim = try #require(c.claim([QueuedFile(relative: "a.png", arrival: 0)]).first)
        var st = stat()
        #expect(lstat(claim.workPath, &st) == 0 && st.st_nlink == 1)
        #expect(FileManager.default.contents(atPath: claim.workPath) == Data(samplePNG(3)))
    }

    /// A name that is not UTF-8 is claimed under its text and keeps its bytes in the claim.
    @Test func aNameThatIsNotUTF8KeepsItsBytes() throws {
        let root = temporaryDirectory("claim-bytes")
        let c = try claimer(root)
        let raw = Array("caf".utf8) + [0xE9] + Array(".png".utf8)
        let path = (Array("\(root)/inbox/".utf8) + raw + [0]).map { CChar(bitPattern: $0) }
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        _ = samplePNG(1).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let claim = try #require(c.claim([QueuedFile(relative: raw, arrival: 0)]).first)
        #expect(claim.original == "caf%E9.png" && claim.realName == raw)
        #expect(claim.workPath.hasSuffix("_caf%E9.png"))
    }
}
