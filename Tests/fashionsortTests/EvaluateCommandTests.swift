import Foundation
import TestSupport
import Testing

@Suite struct EvaluateCommandTests {
    /// Photos in class-slug folders: recall per folder and its mean.
    @Test func foldersGetPerClassRecall() throws {
        let dir = temporaryDirectory("evaluate")
        try copySamples(["bag-18-rgb.png", "bag-34-gray.png"], into: "\(dir)/bag")
        try copySamples(["trouser-5-gray.jpg"], into: "\(dir)/trouser")
        let run = try fashionsort(["evaluate", "--folders", dir])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("on 3 photos in \(dir)"))
        #expect(run.stdout.contains("  bag          recall ") && run.stdout.contains("(2 photos; most often called "))
        #expect(run.stdout.contains("  trouser      recall ") && run.stdout.contains("(1 photo; most often called "))
        #expect(run.stdout.contains("over 2 folders"))
    }
}
