import FashionModel
import Foundation
import TestSupport
import Testing

/// `fashionsort classify` as a user runs it: the real binary on sample photos.
@Suite struct ClassifyCommandTests {
    @Test func rejectedFileGetsItsRowAndExitStatus3() throws {
        let dir = temporaryDirectory("classify")
        try copySamples(["bag-18-rgb.png"], into: dir)
        try copySamples(["trouser-5-gray.jpg"], into: "\(dir)/nested")
        try "this is not a photo".write(toFile: "\(dir)/notes.jpg", atomically: false, encoding: .utf8)

        let run = try fashionsort(["classify", dir, "--top", "3"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("\(dir)/notes.jpg") && run.stderr.contains(", 1 rejected"))
        #expect(
            run.stdout.hasPrefix(
                "file,sha256,status,label,class,confidence,second_class,second_confidence,model,ms,error,"
                    + "none_of_these,held_back_by,class_3,confidence_3\r\n"
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
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect((object["sha256"] as? String)?.count == 64 && object["status"] is String)
            // Numbers are JSON numbers, not strings.
            #expect(object["confidence"] is Double && object["label"] is Int && object["ms"] is Double)
        }
    }

    /// The model's stored operating point decides each status, flags outrank it, and the summary adds up.
    @Test func statusesFollowTheStoredOperatingPoint() throws {
        let dir = temporaryDirectory("classify-point"), photos = "\(dir)/photos"
        try copySamples(
            [
                "bag-18-rgb.png", "coat-10-baseline.jpg", "shirt-7-baseline.jpg", "pullover-16-baseline.jpg",
                "dress-32-gray.jpg", "sandal-8-cutout.png",
            ], into: photos)
        let none = ["--review-threshold", "0", "--other-threshold", "0", "--none-of-these-threshold", "1"]
        let first = try fashionsort(["classify", photos, "--json"] + none)
        #expect(first.status == 0 && first.stderr.contains("6 classified, 0 review, 0 other, 0 rejected"))
        var confidence: [String: Double] = [:]
        for line in first.stdout.split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            confidence[o["file"] as! String] = o["confidence"] as? Double
        }
        let ranked = confidence.sorted { $0.value < $1.value }
        try #require(ranked.count == 6 && ranked[0].value < ranked[1].value && ranked[1].value < ranked[2].value)
        let model = try Model(contentsOf: Model.defaultPath)
        model.operatingPoint = OperatingPoint(
            other: Float((ranked[0].value + ranked[1].value) / 2),
            review: Float((ranked[1].value + ranked[2].value) / 2))
        try model.save(to: "\(dir)/m.safetensors")

        let second = try fashionsort(["classify", photos, "--model", "\(dir)/m.safetensors"])
        #expect(second.status == 0 && second.stderr.contains("4 classified, 1 review, 1 other, 0 rejected"))
        let status = Dictionary(uniqueKeysWithValues: csvRows(second.stdout).map { ($0["file"]!, $0["status"]!) })
        #expect(status[ranked[0].key] == "other" && status[ranked[1].key] == "review")
        #expect(ranked[2...].allSatisfy { status[$0.key] == "classified" })
        let third = try fashionsort(["classify", photos, "--model", "\(dir)/m.safetensors"] + none)
        #expect(third.stderr.contains("6 classified, 0 review, 0 other, 0 rejected"))
    }

    /// A name that is not UTF-8 is classified like any other, its row naming it by its %XX text.
    @Test func aNameThatIsNotUTF8IsClassified() throws {
        let dir = temporaryDirectory("classify-names")
        let path = Array(dir.utf8) + Array("/caf".utf8) + [0xE9] + Array("%.png".utf8) + [0]
        let fd = path.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) }
        }
        _ = samplePNG(3).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let run = try fashionsort(["classify", dir])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = csvRows(run.stdout)
        #expect(rows.map { $0["file"] } == ["\(dir)/caf%E9%25.png"])
        #expect(rows.map { $0["status"] } != ["rejected"])
    }

    @Test func missingPathIsAnErrorNamingIt() throws {
        let run = try fashionsort(["classify", "/nonexistent/photos"])
        #expect(run.status != 0 && run.status != 3)
        #expect(run.stderr.contains("/nonexistent/photos"))
    }
}
