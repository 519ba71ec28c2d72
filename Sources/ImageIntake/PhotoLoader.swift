import CCrypto
import Dispatch
import FileSystem

/// How a photo becomes a 28×28 input: `paper` is Fashion-MNIST's own method
/// (FashionConversion.convert); `naive` is resize + invert, the baseline it is measured against.
public enum Conversion: String, CaseIterable, Sendable {
    case paper, naive

    public func apply(_ image: Image) -> [Float] {
        switch self {
        case .paper: FashionConversion.convert(image)
        case .naive: FashionConversion.naive(image)
        }
    }
}

/// A photo read, hashed, decoded and converted: ready for the model.
public struct PreparedPhoto: Sendable {
    public var file: String
    public var sha256: String
    /// 784 values in [0, 1] (784 per copy when a conversion makes several), or the reason the photo could
    /// not be used.
    public var pixels: Result<[Float], IntakeError>
    /// Wall time spent reading, decoding and converting.
    public var milliseconds: Double

    public init(file: String, sha256: String, pixels: Result<[Float], IntakeError>, milliseconds: Double) {
        self.file = file; self.sha256 = sha256; self.pixels = pixels; self.milliseconds = milliseconds
    }

    public var isDecoded: Bool {
        if case .success = pixels { true } else { false }
    }
}

/// Read → SHA-256 → decode (DCT-scaled) → conversion, for `classify` and the
/// daemon alike, spread over the cores in batches.
public enum PhotoLoader {
    /// Decoding limits that let the decoder scale down to what the conversion needs.
    public static func limits(_ base: DecodeLimits = .init()) -> DecodeLimits {
        var l = base
        l.minLongSide = FashionConversion.decodeLongSide
        return l
    }

    public static func prepare(
        _ path: String, limits: DecodeLimits = PhotoLoader.limits(), conversion: Conversion = .paper
    ) -> PreparedPhoto {
        prepare(path, limits: limits, convert: conversion.apply)
    }

    /// Read, hash and decode, then `convert` the image into model inputs.
    public static func prepare(
        _ path: String, limits: DecodeLimits = PhotoLoader.limits(), convert: (Image) -> [Float]
    ) -> PreparedPhoto {
        let t0 = DispatchTime.now().uptimeNanoseconds
        func done(_ sha: String, _ r: Result<[Float], IntakeError>) -> PreparedPhoto {
            PreparedPhoto(
                file: path, sha256: sha, pixels: r,
                milliseconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path, maxBytes: limits.maxFileBytes) } catch {
            return done(
                "",
                .failure(
                    error.tooLarge
                        ? .tooLarge(file: path, detail: error.reason) : .unreadable(file: path, reason: error.reason)))
        }
        let sha = sha256(bytes)
        do {
            return done(sha, .success(convert(try ImageDecoder.decode(bytes, file: path, limits: limits))))
        } catch {
            return done(sha, .failure(error))
        }
    }

    /// Prepares many files on all cores, keeping their order; `around` wraps each file's work
    /// (the daemon marks a decode's start and end, to tell which file killed it).
    public static func prepare(
        _ paths: [String], limits: DecodeLimits = PhotoLoader.limits(), conversion: Conversion = .paper,
        around: @Sendable (Int, () -> PreparedPhoto) -> PreparedPhoto = { $1() }
    ) -> [PreparedPhoto] {
        prepare(paths, limits: limits, convert: { conversion.apply($1) }, around: around)
    }

    /// Prepares many files on all cores, keeping their order; `convert` gets each file's index and image.
    public static func prepare(
        _ paths: [String], limits: DecodeLimits = PhotoLoader.limits(),
        convert: @escaping @Sendable (Int, Image) -> [Float],
        around: @Sendable (Int, () -> PreparedPhoto) -> PreparedPhoto = { $1() }
    ) -> [PreparedPhoto] {
        let results = UnsafeMutableBufferPointer<PreparedPhoto?>.allocate(capacity: paths.count)
        results.initialize(repeating: nil)
        defer { _ = results.deinitialize(); results.deallocate() }
        let base = SendableBuffer(results)
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            base.buffer[i] = around(i) { prepare(paths[i], limits: limits) { convert(i, $0) } }
        }
        return results.map { $0! }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex SHA-256 of the bytes (libcrypto).
    static func sha256(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeBufferPointer { b in
            digest.withUnsafeMutableBufferPointer { fsc_sha256(b.baseAddress, b.count, $0.baseAddress) }
        }
        precondition(ok == 1, "libcrypto SHA-256 failed")
        return hex(digest)
    }

    /// Lower-case hex of the bytes, as `%02x` each (Foundation's `String(format:)` cost more than the hash).
    static func hex<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Each concurrent iteration writes only its own element.
private struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}
