import Foundation
import TestSupport
import Testing

@Suite struct EvaluateCommandTests {
    /// Photos in class-slug folders: recall and precision per folder with photos (an empty one is skipped,
    /// as the daemon creates all ten), their mean, and with --outliers what is held back.
    @Test func foldersGetPerFolderScoresAndOutliersTheirShare() throws {
        let dir = temporaryDirectory("evaluate"), photos = "\(dir)/photos", outliers = "\(dir)/outliers"
        try copySamples(["bag-18-rgb.png", "bag-34-gray.png"], into: "\(photos)/bag")
        try copySamples(["trouser-5-gray.jpg"], into: "\(photos)/trouser")
        try FileManager.default.createDirectory(atPath: "\(photos)/coat", withIntermediateDirectories: true)
        try copySamples(["sneaker-12-interlaced.png", "sandal-8-cutout.png"], into: outliers)
        let run = try fashionsort(["evaluate", "--folders", photos, "--outliers", outliers, "--show-wrong"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("on 3 photos in \(photos)"))
        #expect(run.stdout.contains("\n  bag               2   ") && run.stdout.contains("\n  trouser           1   "))
        #expect(!run.stdout.contains("\n  coat "))
        #expect(run.stdout.contains("over 2 folders"))
        #expect(run.stdout.contains("outliers (2 photos) held back ") && run.stdout.contains("AUROC"))
        #expect(run.stdout.contains("wrong answers") && run.stdout.contains("outliers filed into a class folder"))

        let json = try fashionsort(["evaluate", "--folders", photos, "--outliers", outliers, "--json"])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((o["folders"] as? [String: Any]).map { Set($0.keys) } == ["bag", "trouser"])
        let held = try #require(o["outliers"] as? [String: Any])
        #expect(held["photos"] as? Int == 2)
        #expect((held["auroc"] as? Double).map { (0...1).contains($0) } == true)
        #expect(o["review_threshold"] is Double || o["reviewThreshold"] is Double)
    }

    @Test func foldersWithoutPhotosAreAnError() throws {
        let dir = temporaryDirectory("evaluate-empty")
        try FileManager.default.createDirectory(atPath: "\(dir)/coat", withIntermediateDirectories: true)
        let run = try fashionsort(["evaluate", "--folders", dir])
        #expect(run.status == 1 && run.stderr.contains(dir))
    }
}
