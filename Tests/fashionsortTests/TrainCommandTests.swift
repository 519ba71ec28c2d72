import Foundation
import TestSupport
import Testing

/// `fashionsort train` on a few hundred Fashion-MNIST images (Debian's
/// dataset-fashion-mnist, which the test command installs) and sample photos.
@Suite struct TrainCommandTests {
    @Test func fineTuneContinuesTheHistoryAndEvensOutVariedPhotoClasses() throws {
        let dir = temporaryDirectory("train")
        try copySamples(["bag-18-rgb.png", "bag-34-gray.png"], into: "\(dir)/photos/bag")
        try copySamples(["trouser-5-gray.jpg"], into: "\(dir)/photos/trouser")
        let small = ["--architecture", "seed", "--limit", "500", "--batch-size", "50"]

        let first = try fashionsort(["train", "--epochs", "1", "-o", "\(dir)/a.safetensors"] + small)
        #expect(first.status == 0, "\(first.stderr)")
        let tuned = try fashionsort(
            [
                "train", "--from", "\(dir)/a.safetensors", "--epochs", "2", "--extra-data", "\(dir)/photos",
                "--extra-balance", "1", "--photo-variety", "--hold-out", "0", "-o", "\(dir)/b.safetensors", "--report",
                "\(dir)/report",
            ] + small)
        #expect(tuned.status == 0, "\(tuned.stderr)")
        #expect(tuned.stdout.contains("extra photos per class evened out: trouser 1×2, bag 2×1"))
        #expect(tuned.stdout.contains("each copy after the first a variation"))

        // The fine-tune's two epochs follow the first run's one, in the CSV and the report.
        let history = csvRows(try String(contentsOfFile: "\(dir)/b-history.csv", encoding: .utf8))
        #expect(history.map { $0["epoch"] } == ["1", "2", "3"])
        let html = try String(contentsOfFile: "\(dir)/report/index.html", encoding: .utf8)
        #expect(
            html.contains(
                "Epochs 1–1 trained the checkpoint this model was fine-tuned from; "
                    + "epochs 2–3 are the fine-tuning."))
    }

    /// `--teacher` distils from checkpoints, says so and records them; a teacher with a "none of these" output
    /// is refused for a student without one.
    @Test func distilsFromTeachers() throws {
        let dir = temporaryDirectory("train-teacher")
        try copySamples(["ankle-boot-23-interlaced.png"], into: "\(dir)/photos/other")
        let small = ["--architecture", "seed", "--limit", "300", "--batch-size", "50", "--epochs", "1"]
        let plain = try fashionsort(["train", "-o", "\(dir)/plain.safetensors"] + small)
        let other = try fashionsort(
            ["train", "--outlier-loss", "other-output", "--extra-data", "\(dir)/photos"]
                + ["-o", "\(dir)/other.safetensors"] + small)
        #expect(plain.status == 0 && other.status == 0, "\(plain.stderr)\(other.stderr)")

        let taught = try fashionsort(
            ["train", "--teacher", "\(dir)/plain.safetensors", "--teacher-weight", "1", "-o", "\(dir)/s.safetensors"]
                + small)
        #expect(taught.status == 0, "\(taught.stderr)")
        #expect(taught.stdout.contains("distilling from ") && taught.stdout.contains("at λ 1, T 2"), "\(taught.stdout)")
        let header = try String(contentsOfFile: "\(dir)/s.safetensors", encoding: .isoLatin1).prefix(4000)
        #expect(header.contains("distillation"))

        let refused = try fashionsort(
            ["train", "--teacher", "\(dir)/other.safetensors", "-o", "\(dir)/r.safetensors"] + small)
        #expect(
            refused.status != 0 && refused.stderr.contains("other.safetensors: a teacher with"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/r.safetensors"))
    }

    /// An `other/` folder with `--outlier-loss other-output` gives the model an eleventh output; a fine-tune of
    /// it learns its outliers there without being told, refuses another outlier loss, and `classify` uses it.
    @Test func anOtherOutputIsAddedAndKeptByFineTunes() throws {
        let dir = temporaryDirectory("train-other")
        try copySamples(["bag-18-rgb.png", "trouser-5-gray.jpg"], into: "\(dir)/photos/bag")
        try copySamples(["ankle-boot-23-interlaced.png", "ankle-boot-28-gray.jpg"], into: "\(dir)/photos/other")
        let small = ["--architecture", "seed", "--limit", "300", "--batch-size", "50", "--epochs", "1"]
        let photos = ["--extra-data", "\(dir)/photos", "--hold-out", "0"]

        let first = try fashionsort(
            ["train", "--outlier-loss", "other-output", "-o", "\(dir)/a.safetensors"] + small + photos)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("with an eleventh output") && first.stdout.contains("241675 parameters"))
        let tuned = try fashionsort(
            ["train", "--from", "\(dir)/a.safetensors", "--outlier-variations", "2", "-o", "\(dir)/b.safetensors"]
                + small + photos)
        #expect(tuned.status == 0, "\(tuned.stderr)")
        #expect(tuned.stdout.contains("outlier loss other-output") && !tuned.stdout.contains("eleventh"))
        #expect(tuned.stdout.contains("outliers: 2 images from \(dir)/photos/other, each also as 2 variations"))
        let refused = try fashionsort(
            ["train", "--from", "\(dir)/a.safetensors", "--outlier-loss", "exposure", "-o", "\(dir)/c.safetensors"]
                + small + photos)
        #expect(refused.status != 0 && refused.stderr.contains("--outlier-loss other-output"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/c.safetensors"))

        let classified = try fashionsort(["classify", "--model", "\(dir)/b.safetensors", "--json", "\(dir)/photos"])
        #expect([0, 3].contains(classified.status), "\(classified.stderr)")
        #expect(classified.stdout.split(separator: "\n").count == 4)
    }

    /// `--from default` is the shipped model wherever it is installed, and a run writing to a file shows a
    /// progress line with elapsed time and ETA at its first batch, not only at the end of an epoch.
    @Test func fromDefaultAndProgressIntoAFile() throws {
        let dir = temporaryDirectory("train-default")
        let run = try fashionsort(
            [
                "train", "--from", "default", "--limit", "200", "--batch-size", "50", "--epochs", "1", "-o",
                "\(dir)/m.safetensors",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("fine-tuning default"))
        let first = try #require(run.stderr.split(separator: "\n").first { $0.hasPrefix("epoch 1/1 batch ") })
        #expect(first.contains("elapsed ") && first.contains("ETA "))
        #expect(run.stdout.contains("elapsed") && run.stdout.contains("ETA"))
    }

    /// Sorts the 40 sample photos into class folders under `dir`, each class's photos under the slug `label`
    /// gives it (the right one, or a wrong one to make a fine-tune worse).
    func labelled(_ dir: String, label: (String) -> String = { $0 }) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: samples).filter { !$0.hasSuffix(".csv") }
        for name in names {
            // The longest slug that prefixes the name ("t-shirt-top-19…", not "t-shirt").
            let slug = FashionSlug.all.filter { name.hasPrefix($0 + "-") }.max { $0.count < $1.count }!
            try copySamples([name], into: "\(dir)/\(label(slug))")
        }
    }

    /// A fine-tune made worse on purpose (every photo under the wrong class, a high rate) is judged on
    /// correctly labelled photos and not written; `--force` writes it with a warning.
    @Test func aWorseFineTuneIsRefusedWithBothFigures() throws {
        let dir = temporaryDirectory("train-worse")
        try labelled("\(dir)/right")
        try labelled("\(dir)/wrong") { FashionSlug.all[(FashionSlug.all.firstIndex(of: $0)! + 1) % 10] }
        let args = [
            "train", "--from", "default", "--limit", "300", "--batch-size", "50", "--epochs", "2",
            "--learning-rate", "3e-3", "--extra-data", "\(dir)/wrong", "--extra-share", "0.5", "--validate-on",
            "\(dir)/right", "-o", "\(dir)/worse.safetensors",
        ]
        let refused = try fashionsort(args)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not written: the fine-tuned model is worse than the starting model"))
        #expect(refused.stderr.contains("against accuracy"), "both figures: \(refused.stderr)")
        #expect(refused.stdout.contains("on the held-out shop photos: accuracy"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/worse.safetensors"))
        let forced = try fashionsort(args + ["--force"])
        #expect(forced.status == 0 && forced.stderr.contains("written because of --force"))
        #expect(FileManager.default.fileExists(atPath: "\(dir)/worse.safetensors"))
    }

    /// Classes the extra photos leave out are named, with what happens to them.
    @Test func missingClassesAreNamed() throws {
        let dir = temporaryDirectory("train-missing")
        try copySamples(["coat-6-rgb.png", "coat-10-baseline.jpg"], into: "\(dir)/photos/coat")
        let run = try fashionsort(
            [
                "train", "--from", "default", "--limit", "100", "--batch-size", "50", "--epochs", "1", "--extra-data",
                "\(dir)/photos", "--force", "-o", "\(dir)/m.safetensors",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: no photos of t-shirt-top, trouser, pullover, dress, sandal, shirt"))
        #expect(run.stderr.contains("fewer than 5 photos to train on of coat 1"))
        #expect(run.stdout.contains("held out to judge by: 1 of these photos"))
    }
}

/// The class slugs, in Fashion-MNIST order.
enum FashionSlug {
    static let all = [
        "t-shirt-top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
        "ankle-boot",
    ]
}
