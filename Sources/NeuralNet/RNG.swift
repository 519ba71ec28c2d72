/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for
/// initialisation, shuffling, dropout and augmentation; seeded so a run repeats.
public struct RNG: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// Standard normal by Box–Muller.
    public mutating func normal() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Float.pi * u2)
    }

    /// Uniform integer in `0..<n`.
    public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A new independent generator (for a layer or a worker).
    public mutating func split() -> RNG { RNG(seed: next()) }
}

/// In double precision, so that seeded initialisations stay the same on every C library.
@inline(__always) func _log(_ x: Float) -> Float { Float(Math.log(Double(x))) }
@inline(__always) func _cos(_ x: Float) -> Float { Float(Math.cos(Double(x))) }
