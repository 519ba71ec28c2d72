import Crypto
import FashionModel
import Foundation
import ImageIntake
import NeuralNet

/// A photo read, hashed, decoded and converted: ready for the model.
public struct PreparedPhoto: Sendable {
    public var file: String
    public var sha256: String
    /// 784 values in [0, 1], or the reason the photo could not be used.
    public var pixels: Result<[Float], IntakeError>
    /// Wall time spent reading, decoding and converting.
    public var milliseconds: Double
}

/// Read → SHA-256 → decode (DCT-scaled) → Fashion-MNIST conversion, for
/// `classify` and the daemon alike, spread over the cores in batches.
public enum PhotoLoader {
    public static func limits(_ base: DecodeLimits = .init()) -> DecodeLimits {
        var l = base
        l.minLongSide = FashionConversion.decodeLongSide
        return l
    }

    public static func prepare(_ path: String, limits: DecodeLimits = PhotoLoader.limits(),
                               conversion: LabelledFolders.Conversion = .paper) -> PreparedPhoto {
        let t0 = DispatchTime.now().uptimeNanoseconds
        func done(_ sha: String, _ r: Result<[Float], IntakeError>) -> PreparedPhoto {
            PreparedPhoto(file: path, sha256: sha, pixels: r,
                          milliseconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch { return done("", .failure(.unreadable(file: path, reason: error.reason))) }
        let sha = TextFormat.hex(SHA256.hash(data: bytes))
        do {
            let image = try ImageDecoder.decode(bytes, file: path, limits: limits)
            return done(sha, .success(conversion == .paper ? FashionConversion.convert(image) : FashionConversion.naive(image)))
        } catch {
            return done(sha, .failure(error))
        }
    }

    /// Prepares many files on all cores, keeping their order.
    public static func prepare(_ paths: [String], limits: DecodeLimits = PhotoLoader.limits(),
                               conversion: LabelledFolders.Conversion = .paper) -> [PreparedPhoto] {
        let results = UnsafeMutableBufferPointer<PreparedPhoto?>.allocate(capacity: paths.count)
        results.initialize(repeating: nil)
        // Deinitialized too: each element owns its pixels (3 KB), which leaked before.
        defer { _ = results.deinitialize(); results.deallocate() }
        let box = UncheckedSendable(results)
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            box.value[i] = prepare(paths[i], limits: limits, conversion: conversion)
        }
        return results.map { $0! }
    }
}

extension PhotoLoader {
    /// Classifies the decodable photos of a batch in one forward pass. Returns,
    /// per photo, its prediction (nil if it could not be decoded) and its time
    /// including an equal share of the forward pass.
    public static func classify(_ photos: [PreparedPhoto], with model: Model) -> [(prediction: Prediction?, milliseconds: Double)] {
        let good = photos.compactMap { try? $0.pixels.get() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        var predictions = model.predict(good.flatMap { $0 }).makeIterator()
        let share = good.isEmpty ? 0 : Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 / Double(good.count)
        return photos.map { photo in
            switch photo.pixels {
            case .success: (predictions.next(), photo.milliseconds + share)
            case .failure: (nil, photo.milliseconds)
            }
        }
    }
}

/// Reads a whole regular file; FIFOs, devices and folders are refused without blocking.
public enum FileBytes {
    public struct Failure: Error { public let reason: String }

    public static func read(_ path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard fd >= 0 else { throw Failure(reason: errno == ELOOP ? "is a symbolic link" : String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw Failure(reason: "not a regular file") }
        // Filled by read(2) without zeroing first; a file that shrank meanwhile
        // is returned as far as it was read.
        var failure: Failure?
        let out = [UInt8](unsafeUninitializedCapacity: Int(st.st_size)) { buffer, count in
            var off = 0
            while off < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + off, buffer.count - off)
                if n < 0 { if errno == EINTR { continue }; failure = Failure(reason: String(cString: strerror(errno))); break }
                if n == 0 { break }
                off += n
            }
            count = off
        }
        if let failure { throw failure }
        return out
    }
}
