import FashionModel
import Training
import Foundation

/// Training output: a live bar redrawn in place on a terminal; otherwise (a log file, CI) a plain line at
/// the first batch and then every 15 seconds, each with the time elapsed and left, so a redirected run
/// shows progress from its first seconds. One line per epoch either way.
struct ProgressBar {
    let live = isatty(STDERR_FILENO) == 1
    private var lastDraw: UInt64 = 0
    private let started = DispatchTime.now().uptimeNanoseconds
    private var secondsLeft = Double.nan

    mutating func batch(_ p: BatchProgress) {
        secondsLeft = p.secondsLeft
        guard live else { return line(p) }
        let now = DispatchTime.now().uptimeNanoseconds
        guard p.batch == p.batches || now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        let width = 24, filled = width * p.batch / p.batches
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(
            format: "\r\u{1B}[2Kepoch %d/%d %@ %d/%d  loss %.4f  acc %.4f  %.0f img/s  ETA %@",
            p.epoch, p.epochs, bar, p.batch, p.batches, p.loss, p.accuracy, p.imagesPerSecond,
            Self.clock(p.secondsLeft))
        FileHandle.standardError.write(Data(line.utf8))
    }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    /// A plain progress line for a log: at the first batch, then every 15 s.
    private mutating func line(_ p: BatchProgress) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard lastDraw == 0 || now - lastDraw > 15_000_000_000 else { return }
        lastDraw = now
        fflush(nil)  // what was printed before (the data read, the model) comes first, not at the first epoch
        let text = String(
            format: "epoch %d/%d batch %d/%d  loss %.4f  acc %.4f  %.0f img/s  elapsed %@  ETA %@\n",
            p.epoch, p.epochs, p.batch, p.batches, p.loss, p.accuracy, p.imagesPerSecond, Self.clock(elapsed),
            Self.clock(p.secondsLeft))
        FileHandle.standardError.write(Data(text.utf8))
    }

    func epoch(_ r: EpochRecord) {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        let validation =
            if let loss = r.validationLoss, let accuracy = r.validationAccuracy {
                String(format: "val_loss %.4f  val_acc %.4f", loss, accuracy)
            } else {
                "no validation"
            }
        print(
            String(
                format: "epoch %3d  loss %.4f  acc %.4f  %@  lr %.2e  %.1fs  elapsed %@  ETA %@",
                r.epoch, r.trainLoss, r.trainAccuracy, validation, r.learningRate, r.seconds, Self.clock(elapsed),
                Self.clock(secondsLeft)))
        fflush(nil)
    }

    static func clock(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "--:--" }
        let t = Int(s)
        return t >= 3600
            ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
            : String(format: "%02d:%02d", t / 60, t % 60)
    }
}
