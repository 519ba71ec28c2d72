import Foundation
import TestSupport
import Testing
@testable import Inbox

@Suite struct InboxScannerTests {
    @Test func waitsForQuietFiles() throws {
        let dir = temporaryDirectory("scan")
        let s = InboxScanner(folder: dir, recursive: false)
        write(samplePNG(6), to: "\(dir)/fresh.png")
        write(samplePNG(6), to: "\(dir)/.hidden.png")
        write(samplePNG(6), to: "\(dir)/partial.png.part")
        symlink("/etc/passwd", "\(dir)/link.png")
        mkfifo("\(dir)/fifo.png", 0o644)
        #expect(s.scan(settle: 2).isEmpty)  // just written: not yet quiet
        #expect(s.waiting == 1)
        #expect(s.scan(settle: 2) == [Array("fresh.png".utf8)])  // unchanged since the last scan
        #expect(s.scan(settle: 2, now: Date().addingTimeInterval(10)) == [Array("fresh.png".utf8)])
    }
}
