import ArgumentParser
import Dispatch
import FashionModel
import Foundation
import NeuralNet

/// Throughput of the engine, best of several runs, as docs/BENCHMARKS.md reports it.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Forward images/s at batch 1 and 256 and training images/s at batch 128, per architecture.")

    @Option(help: "Architectures to time (default: all).") var architecture: [Architecture] = []
    @Option(name: .long, help: "Timed runs per figure; the best is reported.") var runs = 5
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Flag(name: .long, help: "Also print time per layer: inference at batch 1 and 256, training at batch 128.")
    var layers = false
    @Flag(name: .long, help: "Also time decoding + conversion (and classification) of PNG and JPEG photos.")
    var intake = false
    @Option(
        name: .long, help: "With --intake: a folder of real photos to time (e.g. phone photos).")
    var photos: String?
    @OptionGroup var model: ModelOption

    struct Result: Codable {
        var architecture: String
        var parameters: Int
        var mflopsPerImage: Double
        var batch1Milliseconds: Double
        var batch256ImagesPerSecond: Double
        var trainImagesPerSecond: Double
        var trainEpochSeconds48k: Double
        var threads: Int
    }

    func run() throws {
        let archs = architecture.isEmpty ? Architecture.all : architecture
        var results: [Result] = []
        if !json { print("inference products: \(Self.precision)") }
        for arch in archs {
            results.append(measure(arch))
            if layers { profileLayers(arch) }
            if !json {
                let r = results.last!
                print(
                    String(
                        format:
                            "%-6@ %8d params %6.2f MFLOP/img | batch 1: %.3f ms | batch 256: %8.0f img/s | train "
                            + "b128: %6.0f img/s (%.1f s per 48k epoch)",
                        r.architecture, r.parameters, r.mflopsPerImage, r.batch1Milliseconds,
                        r.batch256ImagesPerSecond, r.trainImagesPerSecond, r.trainEpochSeconds48k))
            }
        }
        var intakeResults: [IntakeBench.Result] = []
        if intake {
            intakeResults = try IntakeBench(runs: runs, photosFolder: photos).measure(model: try model.load())
            if !json {
                for r in intakeResults {
                    print(
                        String(
                            format:
                                "intake %-44@ decode %7.0f img/s | decode+convert %7.0f img/s | with classification "
                                + "%7.0f img/s",
                            r.kind, r.decodePerSecond, r.decodeConvertPerSecond, r.endToEndPerSecond))
                }
            }
        }
        if json { print(Self.jsonString(Report(precision: Self.precision, engine: results, intake: intakeResults))) }
    }

    static var precision: String {
        BFloat16.enabled
            ? "bfloat16 (AVX-512 BF16; FASHIONSORT_PRECISION=float32 for float32)"
            : BFloat16.available ? "float32 (FASHIONSORT_PRECISION=float32)" : "float32 (this CPU has no AVX-512 BF16)"
    }

    struct Report: Codable {
        var precision: String
        var engine: [Result]
        var intake: [IntakeBench.Result]
    }

    func measure(_ arch: Architecture) -> Result {
        let model = Model(architecture: arch, seed: 1)
        let net = model.network, inference = model.inference
        var rng = RNG(seed: 2)
        func batch(_ n: Int) -> Tensor {
            Tensor(shape: [n, 1, 28, 28], data: (0..<n * 784).map { _ in rng.uniform() })
        }
        let one = batch(1), big = batch(256), train = batch(128)
        let labels = (0..<128).map { $0 % 10 }
        let adam = Adam(net.parameters, learningRate: 1e-4)

        // Many short runs: on a shared machine a long one rarely escapes every interruption.
        let single = bestTime(runs: max(20, 4 * runs)) { for _ in 0..<25 { _ = inference.logits(one) } } / 25
        let forward = best { for _ in 0..<4 { _ = inference.logits(big) } } / 4
        let step =
            best {
                for _ in 0..<8 {
                    let out = net.forward(train, training: true)
                    net.backward(SoftmaxCrossEntropy.evaluate(out, labels: labels).gradient)
                    adam.update()
                }
            } / 8
        return Result(
            architecture: arch.name, parameters: net.parameterCount,
            mflopsPerImage: Double(arch.forwardFlops) / 1e6,
            batch1Milliseconds: single * 1e3, batch256ImagesPerSecond: 256 / forward,
            trainImagesPerSecond: 128 / step, trainEpochSeconds48k: 48_000 / 128 * step,
            threads: Parallel.threads)
    }

    /// Per layer: inference time at batch 1 and 256, and forward and backward
    /// time of one training step at batch 128 (each the best of `runs`).
    func profileLayers(_ arch: Architecture) {
        let net = Model(architecture: arch, seed: 1).network
        var rng = RNG(seed: 3)
        func input(_ n: Int) -> Tensor {
            Tensor(shape: [n, 1, 28, 28], data: (0..<n * 784).map { _ in rng.uniform() })
        }
        func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }
        let count = net.layers.count, frozen = net.layers.map { $0.frozen() }
        var one = [Double](repeating: .infinity, count: count), big = one, fwd = one, bwd = one
        let x1 = input(1), x256 = input(256), x128 = input(128)
        for _ in 0..<max(2, runs) {
            for (x, reps) in [(x1, 200), (x256, 1)] {
                var x = x
                for (i, layer) in frozen.enumerated() {
                    let t0 = clock()
                    var y = x
                    for _ in 0..<reps { y = layer(x) }
                    let ms = (clock() - t0) / Double(reps)
                    if reps == 1 { big[i] = min(big[i], ms) } else { one[i] = min(one[i], ms) }
                    x = y
                }
            }
            var x = x128
            for (i, layer) in net.layers.enumerated() {
                let t0 = clock()
                x = layer.forward(x, training: true)
                fwd[i] = min(fwd[i], clock() - t0)
            }
            var d = x
            for (i, layer) in net.layers.enumerated().reversed() {
                let t0 = clock()
                d = layer.backward(d)
                bwd[i] = min(bwd[i], clock() - t0)
            }
        }
        print("  layer        inference b1 (µs)  b256 (ms) | training b128: forward (ms)  backward (ms)")
        for (i, layer) in net.layers.enumerated() {
            print(
                String(
                    format: "  %-12@ %17.1f %10.2f | %27.2f %14.2f", String(describing: type(of: layer)),
                    one[i] * 1e3, big[i], fwd[i], bwd[i]))
        }
    }

    func best(_ body: () -> Void) -> Double { bestTime(runs: runs, body) }

}

/// Best wall time in seconds of `runs` calls, after one warm-up call.
func bestTime(runs: Int, _ body: () -> Void) -> Double {
    body()
    var t = Double.infinity
    for _ in 0..<max(1, runs) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        t = min(t, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return t
}
