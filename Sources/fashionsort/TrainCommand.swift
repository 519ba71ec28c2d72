import ArgumentParser
import FashionModel
import NeuralNet
import Training
import FileSystem
import Foundation
import ImageIntake
import ModelReport

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on Fashion-MNIST and write a safetensors checkpoint and a history CSV.")

    @Option(help: "Network to train (ignored with --from, whose architecture wins).") var architecture = Architecture
        .slim
    @Option(name: .long, help: "Maximum number of epochs.") var epochs = 30
    @Option(name: .long, help: "Images per batch.") var batchSize = 128
    @Option(name: .long, help: "Peak learning rate for Adam.") var learningRate: Float = 1e-3
    @Option(help: "Learning-rate schedule.") var schedule = TrainingOptions.Schedule.cosine
    @Option(name: .long, help: "Decoupled weight decay (AdamW) on conv and dense weights.") var weightDecay: Float = 0
    @Option(name: .long, help: "Seed for initialisation, shuffling, dropout and augmentation.") var seed: UInt64 = 1
    @Option(name: .long, help: "Fraction of the 60k training images held out for validation.") var validationSplit = 0.1
    @Option(name: .long, help: "Early stopping: epochs without a better validation loss (0 = off).") var patience = 0
    @Option(name: .long, help: "Random shift of up to N pixels (augmentation).") var shift = 0
    @Flag(name: .long, help: "Random horizontal flips (augmentation).") var flip = false
    @Option(name: .long, help: "Random-erasing probability (augmentation).") var erase: Float = 0
    @Option(name: .long, help: "Train on only the first N training images (quick experiments).") var limit: Int?
    @Option(name: .shortAndLong, help: "Checkpoint to write.") var output = "model.safetensors"
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Fine-tune this checkpoint ('default': the shipped model) instead of starting from scratch (its "
                + "architecture wins)."))
    var from: String?
    @Option(name: .long, help: "Folders of labelled photos in class-slug subfolders to mix into training (repeatable).")
    var extraData: [String] = []
    @Option(name: .long, help: "Share of the training set the extra photos make up (they are repeated to reach it).")
    var extraShare = 0.25
    @Option(name: .long, help: "Loss weight of each extra photo.") var extraWeight: Float = 1
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Evens out the extra photos' classes: a class with n photos is repeated (largest n / n)^P times; 0 "
                + "keeps them as found, 1 balances fully.",
            valueName: "P"))
    var extraBalance = 0.0
    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Each repetition of an extra photo is a random variation of it (crop, rotation, aspect, light), "
                + "not the same image again."))
    var photoVariety = false
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Images of things in no class (any folder of PNG/JPEG files, repeatable); an `other` folder of "
                + "--extra-data counts too.", valueName: "dir"))
    var outliers: [String] = []
    @Option(
        name: .long,
        help: "How outliers teach \"none of these\" (default: other-output for a model that has one, else exposure).")
    var outlierLoss: OutlierTraining.Method?
    @Option(name: .long, help: "Weight λ of the outlier loss.") var outlierWeight: Float = 0.5
    @Option(name: .long, help: "Outlier images drawn per in-class image in each batch.") var outliersPerImage = 1.0
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Each outlier image also takes part as N random variations of it (crop, rotation, aspect, light), "
                + "so the model learns the kind of thing, not the picture; 0 keeps them as found.",
            valueName: "N"))
    var outlierVariations = 0
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Energy loss margins IN,OUT: in-class energies pushed below IN, outliers' above OUT.",
            valueName: "in,out"))
    var energyMargins = "-12,-4"
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A model whose softened answers the in-class images also learn (knowledge distillation; repeatable: "
                + "their mean).", valueName: "checkpoint"))
    var teacher: [String] = []
    @Option(name: .long, help: "Weight λ of the distillation loss.") var teacherWeight: Float = 0.5
    @Option(name: .long, help: "Softmax temperature of the distillation loss.") var teacherTemperature: Float = 2
    @Option(name: .long, help: "Also write the HTML report into this folder.") var report: String?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Share of the --extra-data photos (of each class, and of other/) held out to judge the fine-tune by: "
                + "the best epoch on them is kept, and a model worse than the starting one on them is not written "
                + "(0: judged by Fashion-MNIST validation only).", valueName: "share"))
    var holdOut = 0.2
    @Option(help: ArgumentHelp("Judge the fine-tune on these labelled photos, holding none out.", valueName: "dir"))
    var validateOn: String?
    @Flag(help: "Write the model even when it is worse than the starting model on the shop's held-out photos.")
    var force = false
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Rehearse the photos a model was trained on while fine-tuning ('default': the shipped model's), so "
                + "a shop's few photos add to what it knows instead of pulling it away.", valueName: "file"))
    var replay: String?
    @OptionGroup var data: DataOption

    /// Classes with fewer training photos than this are named in a warning.
    static let fewPhotos = 5

    func validate() throws {
        guard epochs > 0, batchSize > 0 else { throw ValidationError("--epochs and --batch-size must be positive") }
        guard validationSplit >= 0, validationSplit < 1 else {
            throw ValidationError("--validation-split must be in [0, 1)")
        }
        guard validationSplit > 0 || patience == 0 else {
            throw ValidationError("--patience needs validation images: --validation-split 0 keeps the last epoch")
        }
        guard extraShare > 0, extraShare < 1 else { throw ValidationError("--extra-share must be in (0, 1)") }
        for dir in extraData where !FileManager.default.fileExists(atPath: dir) {
            throw ValidationError("--extra-data \(dir): no such folder")
        }
        for dir in outliers where !FileManager.default.fileExists(atPath: dir) {
            throw ValidationError("--outliers \(dir): no such folder")
        }
        guard teacherWeight >= 0, teacherTemperature > 0 else {
            throw ValidationError("--teacher-weight must not be negative and --teacher-temperature must be positive")
        }
        guard margins != nil else { throw ValidationError("--energy-margins: expected two numbers IN,OUT") }
        guard outliersPerImage > 0, outlierWeight >= 0 else {
            throw ValidationError("--outliers-per-image must be positive and --outlier-weight not negative")
        }
        guard outlierVariations >= 0 else { throw ValidationError("--outlier-variations must not be negative") }
        guard holdOut >= 0, holdOut < 1 else { throw ValidationError("--hold-out must be in [0, 1)") }
        if let validateOn, !FileManager.default.fileExists(atPath: validateOn) {
            throw ValidationError("--validate-on \(validateOn): no such folder")
        }
    }

    private var margins: (in: Float, out: Float)? {
        let parts = energyMargins.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// What one run trains on: Fashion-MNIST (and a replay set) with the extra photos mixed in, the outliers,
    /// and the shop's photos held out to judge by.
    private struct Inputs {
        var train: LabelledImages, validation: LabelledImages
        var weights: [Float]?
        var outliers: [Float]
        var shop: ShopPhotos
        /// Photos per class slug (and outliers under `other`), for the model card.
        var photoCounts: [String: Int]
    }

    func run() throws {
        let inputs = try readInputs()
        let (model, earlier) = try startingModel(withOutliers: !inputs.outliers.isEmpty)
        // The shop's held-out photos: how the starting model does on them is what the fine-tune must beat.
        let point = model.decision
        let start = inputs.shop.isEmpty ? nil : inputs.shop.score(model.inference, as: model, point: point)
        if let start {
            print(
                "judged on \(inputs.shop.images.count) held-out shop photos and \(inputs.shop.outlierCount) "
                    + "outliers; the starting model: \(start)")
        }
        let test = try data.load(.test)
        let (options, teachers) = try trainingOptions(model: model, outliers: !inputs.outliers.isEmpty, test: test)
        print(
            "training \(model.architecture.name) (\(model.network.parameterCount) parameters) on "
                + "\(inputs.train.count) "
                + (inputs.validation.count > 0
                    ? "images, validating on \(inputs.validation.count)"
                    : "images, no validation (the last epoch is kept)"))
        var bar = ProgressBar()
        var trainer = Trainer(options: options)
        trainer.onBatch = { bar.batch($0) }
        trainer.onEpoch = { bar.epoch($0) }
        if let start {
            trainer.judge = { [model, shop = inputs.shop] epoch, plan in
                let score = shop.score(plan, as: model, point: point)
                print("epoch \(epoch) on the held-out shop photos: \(score) (starting model: \(start))")
                return score.rank
            }
        }
        let started = Date()
        let (history, bestEpoch) = trainer.train(
            model, on: inputs.train, validation: inputs.validation, weights: inputs.weights, outliers: inputs.outliers)
        let wall = Date().timeIntervalSince(started)
        if let start { try refuseIfWorse(model, than: start, on: inputs.shop, point: point) }
        let eval = Evaluation(model: model, data: test)
        print(
            String(
                format: "best epoch %d of %d; wall time %.0f s; test accuracy %.4f, loss %.4f",
                bestEpoch, history.count, wall, eval.accuracy, eval.loss))
        try write(
            model, earlier: earlier, history: history, bestEpoch: bestEpoch, wall: wall, inputs: inputs,
            options: options, teachers: teachers, test: test, eval: eval)
    }

    /// Fashion-MNIST split for validation, the replay set and the extra photos mixed in, the outliers.
    private func readInputs() throws -> Inputs {
        var all = try data.load(.train)
        if let limit { all = all.subset(0..<min(limit, all.count)) }
        var (train, validation) = all.split(validationFraction: validationSplit, seed: seed)
        var weights: [Float]? = nil
        var (listing, outlierPixels, shop) = try listPhotos()
        if let replay {
            let set: ReplaySet
            do { set = try ReplaySet(contentsOf: ReplaySet.path(named: replay)) } catch {
                throw CLIError(error.description)
            }
            train = train + set.images
            outlierPixels += set.outliers
            let outliers = set.outliers.count / LabelledImages.size
            print("rehearsing \(set.images.count) photos and \(outliers) outliers of \(replay)")
        }
        warnAboutFewPhotos(listing.labels)
        var photoCounts: [String: Int] = [:]
        if !listing.files.isEmpty {
            let photos = TrainingPhotos(
                files: listing.files, labels: listing.labels, balance: extraBalance, share: extraShare,
                baseCount: train.count, variety: photoVariety ? PhotoVariety() : nil, seed: seed)
            skipped(photos.skipped)
            if extraBalance > 0 {
                print(
                    "extra photos per class evened out: "
                        + photos.perClass.map { "\(FashionClass(rawValue: $0.label)!.slug) \($0.count)×\($0.repeats)" }
                        .joined(separator: ", "))
            }
            let mix = DatasetMix(base: train, extra: photos.images, weight: extraWeight)
            train = mix.images
            weights = mix.weights
            print(
                "extra photos repeated \(photos.rounds)× = \(mix.extraCount) of \(train.count) training images, "
                    + "weight \(extraWeight)" + (photoVariety ? ", each copy after the first a variation" : ""))
            for (label, n) in photos.photosPerClass { photoCounts[FashionClass(rawValue: label)!.slug] = n }
        }
        if !extraData.isEmpty && photoCounts.isEmpty && outlierPixels.isEmpty {
            throw CLIError("no usable photos in \(extraData.joined(separator: ", "))")
        }
        if !outlierPixels.isEmpty {
            let images = outlierPixels.count / LabelledImages.size
            photoCounts[LabelledFolders.outlierFolder] = images / (1 + outlierVariations)
        }
        return Inputs(
            train: train, validation: validation, weights: weights, outliers: outlierPixels, shop: shop,
            photoCounts: photoCounts)
    }

    /// The model to train (a fine-tune's, with its history, which the new epochs continue), with a "none of
    /// these" output added when outliers are to be learnt there.
    private func startingModel(withOutliers: Bool) throws -> (Model, TrainingHistory) {
        var model: Model, earlier = TrainingHistory()
        if let from {
            do { model = try Model(contentsOf: Model.path(named: from)) } catch { throw CLIError(error.description) }
            earlier = model.history
            print("fine-tuning \(from) (model \(model.id), \(earlier.records.count) epochs of history)")
        } else {
            model = Model(architecture: architecture, seed: seed)
        }
        // A model with a "none of these" output learns its outliers there unless told otherwise.
        let method = outlierLoss ?? (model.architecture.hasOtherOutput ? .otherOutput : .exposure)
        if withOutliers && model.architecture.hasOtherOutput && method != .otherOutput {
            throw CLIError(
                "\(from ?? "the model"): has a \"none of these\" output: "
                    + "train its outliers with --outlier-loss other-output")
        }
        if withOutliers && method == .otherOutput && !model.architecture.hasOtherOutput {
            model =
                from == nil ? Model(architecture: architecture.withOtherOutput(), seed: seed) : model.withOtherOutput()
            print("with an eleventh output, \"none of these\"")
        }
        return (model, earlier)
    }

    /// The trainer's options from the flags, with the outlier loss and the teachers.
    private func trainingOptions(
        model: Model, outliers: Bool, test: LabelledImages
    ) throws
        -> (TrainingOptions, [Model])
    {
        var teachers: [Model] = []
        for path in teacher {
            do { teachers.append(try Model(contentsOf: Model.path(named: path))) } catch {
                throw CLIError(error.description)
            }
            guard !teachers.last!.architecture.hasOtherOutput || model.architecture.hasOtherOutput else {
                throw CLIError("\(path): a teacher with a \"none of these\" output needs a student with one")
            }
        }
        var options = TrainingOptions()
        options.epochs = epochs; options.batchSize = batchSize; options.learningRate = learningRate
        options.schedule = schedule; options.weightDecay = weightDecay; options.seed = seed
        options.patience = patience > 0 ? patience : nil
        options.augmentation = Augmentation(shift: shift, flip: flip, erase: erase)
        if outliers {
            var o = OutlierTraining()
            o.method = outlierLoss ?? (model.architecture.hasOtherOutput ? .otherOutput : .exposure)
            o.lambda = outlierWeight; o.perImage = outliersPerImage
            (o.inMargin, o.outMargin) = margins!
            options.outliers = o
            print(
                "outlier loss \(o.method.rawValue), λ \(o.lambda), \(o.perImage) outliers per image"
                    + (o.method == .energy ? ", margins \(o.inMargin), \(o.outMargin)" : ""))
        }
        if !teachers.isEmpty {
            var d = Distillation(teachers: teachers.map(\.inference))
            d.lambda = teacherWeight; d.temperature = teacherTemperature
            options.distillation = d
            print(
                String(
                    format: "distilling from %@ at λ %g, T %g; their mean answer scores %.4f on the test set",
                    teachers.map(\.id).joined(separator: ", "), teacherWeight, teacherTemperature,
                    Evaluation(models: teachers, data: test).accuracy))
        }
        return (options, teachers)
    }

    /// A fine-tune worse than its starting model on the shop's held-out photos is not written (nor said to
    /// be fine): unless `--force`, with both figures.
    private func refuseIfWorse(
        _ model: Model, than start: ShopScore, on shop: ShopPhotos, point: OperatingPoint
    )
        throws
    {
        let final = shop.score(model.inference, as: model, point: point)
        guard from != nil && final.isWorse(than: start) else { return }
        let message =
            "the fine-tuned model is worse than the starting model on the \(shop.images.count) held-out shop "
            + "photos and \(shop.outlierCount) outliers: \(final), against \(start)"
        guard force else { throw CLIError("not written: \(message); --force writes it anyway") }
        FileHandle.standardError.write(Data("warning: \(message); written because of --force\n".utf8))
    }

    /// The card (summary, metrics, history) written into the model, then the model, its history CSV and the
    /// report.
    private func write(
        _ model: Model, earlier: TrainingHistory, history: [EpochRecord], bestEpoch: Int, wall: Double,
        inputs: Inputs, options: TrainingOptions, teachers: [Model], test: LabelledImages, eval: Evaluation
    ) throws {
        // Epoch numbers in the stored history, which for a fine-tune starts with its source's.
        let storedBest = earlier.records.count + bestEpoch
        let fineTuneStart = from == nil ? nil : earlier.records.count + 1
        model.training = TrainingSummary(
            architecture: model.architecture.name, epochsRun: history.count, bestEpoch: storedBest,
            fineTuneStart: fineTuneStart, batchSize: batchSize, learningRate: learningRate, schedule: schedule.rawValue,
            weightDecay: weightDecay, seed: seed, validationSplit: validationSplit, trainImages: inputs.train.count,
            shift: shift,
            flip: flip, erase: erase, wallSeconds: wall, command: CommandLine.arguments.joined(separator: " "),
            from: from,
            extraData: extraData)
        model.training?.photos = inputs.photoCounts.isEmpty ? nil : inputs.photoCounts
        model.training?.outlierLoss = options.outliers.map {
            "\($0.method.rawValue), λ \($0.lambda), \($0.perImage) per image"
                + ($0.method == .energy ? ", margins \($0.inMargin) \($0.outMargin)" : "")
        }
        model.training?.distillation = options.distillation.map {
            "\(teachers.map(\.id).joined(separator: ", ")), λ \($0.lambda), T \($0.temperature)"
        }
        model.metrics = TestMetrics(
            testAccuracy: eval.accuracy, testLoss: eval.loss, validationLoss: history[bestEpoch - 1].validationLoss,
            validationAccuracy: history[bestEpoch - 1].validationAccuracy)
        let stored = earlier.continued(with: history)
        model.history = stored  // the report can then be drawn from the checkpoint alone
        do { try model.save(to: output) } catch { throw CLIError(error.description) }
        let historyPath = (output as NSString).deletingPathExtension + "-history.csv"
        do { try AtomicFile.write(stored.csv, to: historyPath) } catch { throw CLIError(error.description) }
        print("wrote \(output) (model \(model.id)) and \(historyPath)")
        if let report {
            let page = try TrainingReport(
                model: model, train: inputs.train, test: test, history: stored.records, bestEpoch: storedBest,
                fineTuneStart: fineTuneStart
            ).write(to: report)
            print("wrote \(page)")
        }
    }

    /// The labelled photo files of --extra-data to train on, the outlier images of --outliers and of their
    /// `other` folders, and the shop's photos held out of them (or those of --validate-on) to judge by.
    private func listPhotos() throws -> (listing: LabelledFolders.Listing, outliers: [Float], shop: ShopPhotos) {
        var all = LabelledFolders.Listing(), held = LabelledFolders.Listing()
        var pool = OutlierPool(variations: outlierVariations, seed: seed &+ 0x07_71E5)
        for dir in extraData {
            let listing: LabelledFolders.Listing
            do { listing = try LabelledFolders.list(dir) } catch { throw CLIError("\(error)") }
            print("extra data: \(listing.files.count) photos in \(dir)")
            let share = validateOn == nil ? holdOut : 0
            let photos = HoldOut.split(labels: listing.labels, share: share, seed: seed)
            let other = HoldOut.split(labels: listing.outlierFiles.map { _ in 0 }, share: share, seed: seed)
            all.files += photos.kept.map { listing.files[$0] }
            all.labels += photos.kept.map { listing.labels[$0] }
            held.files += photos.held.map { listing.files[$0] }
            held.labels += photos.held.map { listing.labels[$0] }
            held.outlierFiles += other.held.map { listing.outlierFiles[$0] }
            let added = pool.add(other.kept.map { listing.outlierFiles[$0] })
            skipped(added.skipped)
            if added.added > 0 { outliersLoaded(added.added, from: "\(dir)/\(LabelledFolders.outlierFolder)") }
            if share > 0 {
                print(
                    "held out to judge by: \(photos.held.count) of these photos and \(other.held.count) of their "
                        + "outliers (\(Int(share * 100))% of each class)")
            }
        }
        if let validateOn {
            do { held = try LabelledFolders.list(validateOn) } catch { throw CLIError("\(error)") }
        }
        for dir in outliers {
            let loaded = pool.add(try reported { try FileWalker.files(under: dir) })
            skipped(loaded.skipped)
            outliersLoaded(loaded.added, from: dir)
        }
        let shop = ShopPhotos.load(files: held.files, labels: held.labels, outlierFiles: held.outlierFiles)
        skipped(shop.skipped)
        return (all, pool.pixels, shop.photos)
    }

    /// Names the classes the extra photos leave out or barely have, and says what that means.
    private func warnAboutFewPhotos(_ labels: [Int]) {
        guard !extraData.isEmpty else { return }
        var counts: [FashionClass: Int] = [:]
        for label in labels { counts[FashionClass(rawValue: label)!, default: 0] += 1 }
        let none = FashionClass.allCases.filter { counts[$0] == nil }.map(\.slug)
        let few = FashionClass.allCases.filter { (1..<Self.fewPhotos).contains(counts[$0] ?? 0) }
            .map { "\($0.slug) \(counts[$0]!)" }
        func warn(_ text: String) { FileHandle.standardError.write(Data("warning: \(text)\n".utf8)) }
        if !none.isEmpty {
            warn(
                "no photos of \(none.joined(separator: ", ")) to train on: the model keeps what it learnt of them "
                    + "from Fashion-MNIST, and they are not judged")
        }
        if !few.isEmpty {
            warn(
                "fewer than \(Self.fewPhotos) photos to train on of \(few.joined(separator: ", ")): too few to learn "
                    + "them reliably; --extra-balance repeats them, the held-out photos say whether it helped")
        }
    }

    private func outliersLoaded(_ count: Int, from dir: String) {
        let varied = outlierVariations > 0 ? ", each also as \(outlierVariations) variations" : ""
        print("outliers: \(count) images from \(dir)\(varied)")
    }

    private func skipped(_ errors: [IntakeError]) {
        for e in errors { FileHandle.standardError.write(Data("skipped \(e.description)\n".utf8)) }
    }
}
