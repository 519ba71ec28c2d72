import FashionModel
import Training
import Foundation

/// Training output: a live bar redrawn in place on a terminal, one plain line
/// per epoch otherwise (logs, CI), so redirected output stays readable.
struct ProgressBar {
    let live = isatty(STDERR_FILENO) == 1
    private var lastDraw: UInt64 = 0

    mutating func batch(_ p: BatchProgress) {
        guard live else { return }
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
                format: "epoch %3d  loss %.4f  acc %.4f  %@  lr %.2e  %.1fs",
                r.epoch, r.trainLoss, r.trainAccuracy, validation, r.learningRate, r.seconds))
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
