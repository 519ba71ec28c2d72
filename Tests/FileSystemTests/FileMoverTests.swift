import FileSystem
import Foundation
import TestSupport
import Testing

@Suite struct FileMoverTests {
    /// A crash between link(2) and unlink(2) leaves one file under two names;
    /// moving it again must finish the move, not make a second copy.
    @Test func interruptedMoveIsFinishedNotDuplicated() throws {
        let dir = temporaryDirectory("mover")
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: true)
        write(samplePNG(1), to: "\(dir)/work.png")
        link("\(dir)/work.png", "\(dir)/out/a.png")
        #expect(try FileMover.move("\(dir)/work.png", into: "\(dir)/out", name: "a.png") == "\(dir)/out/a.png")
        #expect(filesUnder("\(dir)/out") == ["a.png"] && !FileManager.default.fileExists(atPath: "\(dir)/work.png"))
        // A different file under the same name gets a suffix instead.
        write(samplePNG(2), to: "\(dir)/other.png")
        #expect(try FileMover.move("\(dir)/other.png", into: "\(dir)/out", name: "a.png") == "\(dir)/out/a-1.png")
    }

    /// The claim's rename never replaces a file already there, and reports a lost race (the source gone).
    @Test func aDirectoryRenameNeverReplacesAndReportsALostRace() throws {
        let dir = temporaryDirectory("claim")
        write(samplePNG(1), to: "\(dir)/x.png")
        write(samplePNG(2), to: "\(dir)/taken.png")
        let folder = try Directory(path: dir)
        #expect(folder.rename(Array("x.png".utf8), to: folder, as: Array("taken.png".utf8)) == EEXIST)
        #expect(folder.rename(Array("x.png".utf8), to: folder, as: Array("taken-1.png".utf8)) == 0)
        #expect(folder.rename(Array("x.png".utf8), to: folder, as: Array("taken-2.png".utf8)) == ENOENT)
        #expect(try FileBytes.read("\(dir)/taken.png") == samplePNG(2))
    }
}

@Suite struct FileNameTests {
    @Test func textEscapesOnlyWhatIsNotUTF8() {
        #expect(FileName.text(Array("café 写真.png".utf8)) == "café 写真.png")
        #expect(FileName.text(Array("caf".utf8) + [0xE9] + Array(".png".utf8)) == "caf%E9.png")
        // A cut multi-byte sequence, a lone continuation byte, and valid text after them.
        #expect(FileName.text([0xE5, 0x86] + Array("x".utf8) + [0x80] + Array("é".utf8)) == "%E5%86x%80é")
        #expect(FileName.text(Array("50%".utf8) + [0xFF]) == "50%25%FF")
    }

    @Test func bytesOfTextUndoText() {
        for raw in [Array("caf".utf8) + [0xE9] + Array(".png".utf8), Array("50%41".utf8) + [0xFF], [0xC3]] {
            #expect(FileName.bytes(ofText: FileName.text(raw)) == raw)
        }
        // Names text(_:) leaves as they are: no escapes, or escapes of valid UTF-8.
        #expect(FileName.bytes(ofText: "plain.png") == nil)
        #expect(FileName.bytes(ofText: "100%.png") == nil)
        #expect(FileName.bytes(ofText: "caf%C3%A9.png") == nil)
    }

    @Test func plainNamesStayInTheirFolder() {
        #expect(FileName.isPlainName(Array("a.png".utf8)))
        #expect(FileName.isPlainName([0xFF, 0x2E]))
        for bad in ["", ".", "..", "../x.png", "a/b", "a\0b"] { #expect(!FileName.isPlainName(Array(bad.utf8))) }
        #expect(!FileName.isPlainName([UInt8](repeating: 0x61, count: 256)))
    }

    /// Below a folder, a symbolic link is never followed: not as a folder, not as the file opened.
    @Test func aDirectoryNeverFollowsALinkBelowIt() throws {
        let dir = temporaryDirectory("beneath")
        try FileManager.default.createDirectory(atPath: "\(dir)/real", withIntermediateDirectories: true)
        write([1, 2, 3], to: "\(dir)/real/x.png")
        symlink("\(dir)/real", "\(dir)/link")
        symlink("\(dir)/real/x.png", "\(dir)/real/y.png")
        let root = try Directory(path: dir)
        #expect(throws: FileSystemError.self) { try root.folder([Array("link".utf8)]) }
        #expect(throws: FileSystemError.self) { try root.folder([Array("..".utf8)]) }
        let real = try root.folder([Array("real".utf8)])
        #expect(throws: FileSystemError.self) { try real.openForReading(Array("y.png".utf8)) }
        #expect(real.rename(Array("x.png".utf8), to: root, as: Array("../z.png".utf8)) == EINVAL)
        #expect(real.rename(Array("x.png".utf8), to: root, as: Array("z.png".utf8)) == 0)
        #expect(FileManager.default.fileExists(atPath: "\(dir)/z.png"))
    }

    @Test func variantsKeepTheExtension() {
        #expect(Array(FileName.variants(of: "shirt.jpg", limit: 3)) == ["shirt.jpg", "shirt-1.jpg", "shirt-2.jpg"])
        #expect(Array(FileName.variants(of: ".hidden", limit: 2)) == [".hidden", ".hidden-1"])
        #expect(Array(FileName.variants(of: "a.tar.gz", limit: 2)) == ["a.tar.gz", "a.tar-1.gz"])
    }

    @Test func variantsOfALongNameFitAndStayWhole() {
        // 84 three-byte characters and `.png`: 256 bytes, one too many.
        let text = Array(FileName.variants(of: String(repeating: "€", count: 84) + ".png", limit: 2))
        #expect(text.map(\.utf8.count) == [253, 255])
        #expect(text[1].hasSuffix("€-1.png"))
        // A name that is no text is cut the same way, never inside a multi-byte sequence.
        let raw = [UInt8](repeating: 0xFF, count: 3) + Array(repeating: "é", count: 126).flatMap(\.utf8) + [0x2E, 0x67]
        let bytes = Array(FileName.variants(of: raw, limit: 2))
        #expect(bytes.map(\.count) == [255, 255])
        #expect(bytes[1].suffix(4) == [0x2D, 0x31, 0x2E, 0x67] && bytes[1].dropLast(4).suffix(2) == Array("é".utf8))
    }
}

@Suite struct FileBytesTests {
    @Test func refusesWhatIsNotARegularFile() throws {
        let dir = temporaryDirectory("bytes")
        mkfifo("\(dir)/fifo", 0o644)
        symlink("/etc/hostname", "\(dir)/link")
        #expect(throws: FileSystemError(path: "\(dir)/fifo", reason: "not a regular file")) {
            try FileBytes.read("\(dir)/fifo")
        }
        #expect(throws: FileSystemError(path: "\(dir)/link", reason: "is a symbolic link")) {
            try FileBytes.read("\(dir)/link")
        }
    }

    @Test func atomicWriteLeavesNoTemporaryFile() throws {
        let dir = temporaryDirectory("atomic")
        try AtomicFile.write("one", to: "\(dir)/f.txt")
        try AtomicFile.write("two", to: "\(dir)/f.txt")
        #expect(filesUnder(dir) == ["f.txt"])
        #expect(try FileBytes.read("\(dir)/f.txt") == Array("two".utf8))
        #expect(FileWalker.names(in: dir) == ["f.txt"])
    }
}
