import Foundation
import TestSupport
import Testing

/// `fashionsort classify` as a user runs it: the real binary on sample photos.
@Suite struct ClassifyCommandTests {
    @Test func rejectedFileGetsItsRowAndExitStatus3() throws {
        let dir = temporaryDirectory("classify")
        try copySamples(["bag-18-rgb.png"], into: dir)
        try copySamples(["trouser-5-gray.jpg"], into: "\(dir)/nested")
        try "this is not a photo".write(toFile: "\(dir)/notes.jpg", atomically: true, encoding: .utf8)

        let run = try fashionsort(["classify", dir, "--top", "3"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("\(dir)/notes.jpg") && run.stderr.contains("1 of 3 files rejected"))
        #expect(
            run.stdout.hasPrefix(
                "file,sha256,status,label,class,confidence,second_class,second_confidence,model,ms,error,"
                    + "class_3,confidence_3\r\n"
            ))
        let byFile = Dictionary(
            uniqueKeysWithValues: csvRows(run.stdout).map { (($0["file"]! as NSString).lastPathComponent, $0) })
        #expect(byFile.count == 3)
        #expect(byFile["notes.jpg"]?["status"] == "rejected")
        #expect(byFile["notes.jpg"]?["error"]?.contains("not a PNG or JPEG") == true)
        // The folder was walked recursively, and the photos were classified.
        #expect(byFile["trouser-5-gray.jpg"]?["status"] == "classified")
        #expect(byFile["bag-18-rgb.png"]?["class"] == "Bag")
        #expect(byFile["bag-18-rgb.png"]?["class_3"]?.isEmpty == false)
    }

    @Test func allClassifiedExitsZeroAndWritesJSONLinesToAFile() throws {
        let dir = temporaryDirectory("classify")
        try copySamples(["bag-18-rgb.png", "trouser-5-gray.jpg"], into: dir)
        let out = "\(dir)/result.jsonl"
        let run = try fashionsort([
            "classify", "\(dir)/bag-18-rgb.png", "\(dir)/trouser-5-gray.jpg", "--json", "--output", out,
        ])
        #expect(run.status == 0 && run.stdout.isEmpty)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(object?["status"] == "classified" && object?["sha256"]?.count == 64)
        }
    }

    @Test func missingPathIsAnErrorNamingIt() throws {
        let run = try fashionsort(["classify", "/nonexistent/photos"])
        #expect(run.status != 0 && run.status != 3)
        #expect(run.stderr.contains("/nonexistent/photos"))
    }
}
