import NeuralNet

/// A network described as data, so a checkpoint can carry it and rebuild it.
public struct Architecture: Codable, Sendable, Equatable {
    public enum Step: Codable, Sendable, Equatable {
        case conv(filters: Int, padding: Int)
        case batchNorm
        case relu
        case maxPool
        case dropout(Float)
        case flatten
        case dense(units: Int)
    }

    public var name: String
    public var steps: [Step]

    public static let inputShape = [1, 28, 28]

    /// The reference Keras model of the analysis we started from, layer for
    /// layer (valid padding, 241,546 parameters).
    public static let seed = Architecture(
        name: "seed",
        steps: [
            .conv(filters: 32, padding: 0), .relu, .maxPool, .dropout(0.25),
            .conv(filters: 64, padding: 0), .relu, .maxPool, .dropout(0.25),
            .conv(filters: 128, padding: 0), .relu, .dropout(0.3),
            .flatten, .dense(units: 128), .relu, .dropout(0.4), .dense(units: 10),
        ])

    /// VGG-style: two blocks of two same-padded convolutions with batch norm,
    /// then a batch-normed dense layer (38 MFLOP per image).
    public static let wide = Architecture(
        name: "wide",
        steps: [
            .conv(filters: 32, padding: 1), .batchNorm, .relu,
            .conv(filters: 32, padding: 1), .batchNorm, .relu, .maxPool, .dropout(0.2),
            .conv(filters: 64, padding: 1), .batchNorm, .relu,
            .conv(filters: 64, padding: 1), .batchNorm, .relu, .maxPool, .dropout(0.3),
            .flatten, .dense(units: 256), .batchNorm, .relu, .dropout(0.4), .dense(units: 10),
        ])

    /// The default: wide without the costly second 28×28 convolution (24 MFLOP
    /// per image), so two cores train it in under 30 minutes (docs/MODEL.md).
    public static let slim = slimFamily(name: "slim", denseUnits: 256)

    /// slim with twice the dense units: room to fit Fashion-MNIST and photos at once for about 7% more
    /// multiply-adds (docs/MODEL.md).
    public static let slim512 = slimFamily(name: "slim512", denseUnits: 512)

    private static func slimFamily(name: String, denseUnits: Int) -> Architecture {
        Architecture(
            name: name,
            steps: [
                .conv(filters: 32, padding: 1), .batchNorm, .relu, .maxPool,
                .conv(filters: 64, padding: 1), .batchNorm, .relu,
                .conv(filters: 64, padding: 1), .batchNorm, .relu, .maxPool, .dropout(0.3),
                .flatten, .dense(units: denseUnits), .batchNorm, .relu, .dropout(0.4), .dense(units: 10),
            ])
    }

    public static let all = [slim, slim512, wide, seed]
    public static func named(_ name: String) -> Architecture? { all.first { $0.name == name } }

    /// Builds the network with PyTorch-style names: conv1…, bn1…, fc1…; He-initialised
    /// from `seed`, or zero when nil (a checkpoint's weights follow: drawing 862k normal
    /// numbers was a third of loading the default model).
    public func build(seed: UInt64? = 0) -> Sequential {
        var rng = RNG(seed: seed ?? 0)
        let random = seed != nil
        var shape = Self.inputShape
        var counts = (conv: 0, bn: 0, fc: 0)
        var layers: [Layer] = []
        for step in steps {
            let layer: Layer
            switch step {
            case .conv(let filters, let padding):
                counts.conv += 1
                layer = Conv2D(
                    name: "conv\(counts.conv)", inChannels: shape[0], outChannels: filters, padding: padding, rng: &rng,
                    random: random)
            case .batchNorm:
                counts.bn += 1
                layer = BatchNorm(name: "bn\(counts.bn)", channels: shape[0])
            case .relu: layer = ReLU()
            case .maxPool: layer = MaxPool2D()
            case .dropout(let p): layer = Dropout(rate: p, rng: &rng)
            case .flatten: layer = Flatten()
            case .dense(let units):
                counts.fc += 1
                layer = Dense(
                    name: "fc\(counts.fc)", inFeatures: shape[0], outFeatures: units, rng: &rng, random: random)
            }
            shape = layer.outputShape(shape)
            layers.append(layer)
        }
        return Sequential(layers, inputShape: Self.inputShape)
    }

    /// Units of the last dense layer: the ten classes, or eleven with "none of these".
    public var outputs: Int {
        steps.reversed().lazy.compactMap { if case .dense(let units) = $0 { units } else { nil } }.first ?? 0
    }

    /// Forward multiply-adds ×2 per image, for throughput reports.
    public var forwardFlops: Int {
        var shape = Self.inputShape, flops = 0
        for step in steps {
            switch step {
            case .conv(let f, let p):
                let oh = shape[1] + 2 * p - 2, ow = shape[2] + 2 * p - 2
                flops += 2 * f * oh * ow * shape[0] * 9
                shape = [f, oh, ow]
            case .maxPool: shape = [shape[0], shape[1] / 2, shape[2] / 2]
            case .flatten: shape = [shape.reduce(1, *)]
            case .dense(let u): flops += 2 * shape[0] * u; shape = [u]
            default: break
            }
        }
        return flops
    }
}
