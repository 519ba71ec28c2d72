import FashionModel
import CZlib
import Foundation

public enum DatasetError: Error, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let p):
            "\(p): not found. Install Fashion-MNIST with: sudo apt-get install dataset-fashion-mnist (or pass "
                + "--data DIR)"
        case .unreadable(let p, let r): "\(p): cannot read: \(r)"
        case .malformed(let p, let r): "\(p): not a Fashion-MNIST IDX file: \(r)"
        }
    }
}

/// Reads Fashion-MNIST's gzip-compressed IDX files (LeCun's format: big-endian
/// magic 0x0000_08_0D where 08 = unsigned byte and D = dimension count, then
/// D big-endian sizes, then the bytes).
public enum FashionMNIST {
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    public enum Split: String, Sendable {
        case train
        case test = "t10k"
    }

    public static func load(_ split: Split, directory: String = defaultDirectory) throws(DatasetError) -> LabelledImages
    {
        let imagePath = "\(directory)/\(split.rawValue)-images-idx3-ubyte.gz"
        let labelPath = "\(directory)/\(split.rawValue)-labels-idx1-ubyte.gz"
        let images = try parse(try gunzip(imagePath), path: imagePath, dims: 3)
        let labels = try parse(try gunzip(labelPath), path: labelPath, dims: 1)
        guard images.sizes[1] == 28, images.sizes[2] == 28 else {
            throw .malformed(
                path: imagePath, reason: "images are \(images.sizes[1])×\(images.sizes[2]), expected 28×28")
        }
        guard images.sizes[0] == labels.sizes[0] else {
            throw .malformed(path: labelPath, reason: "\(labels.sizes[0]) labels for \(images.sizes[0]) images")
        }
        if let bad = labels.body.first(where: { $0 > 9 }) {
            throw .malformed(path: labelPath, reason: "label \(bad) is outside 0…9")
        }
        return LabelledImages(pixels: images.body.map { Float($0) / 255 }, labels: labels.body.map(Int.init))
    }

    /// Validates the header and returns the sizes and the payload.
    static func parse(
        _ bytes: [UInt8], path: String, dims: Int
    ) throws(DatasetError) -> (sizes: [Int], body: ArraySlice<UInt8>) {
        let headerSize = 4 + 4 * dims
        func be32(_ o: Int) -> Int {
            Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
        }
        guard bytes.count >= 4 else { throw .malformed(path: path, reason: "only \(bytes.count) bytes") }
        let magic = be32(0)
        guard magic == 0x800 | dims else {
            throw .malformed(
                path: path,
                reason: "magic number 0x\(String(magic, radix: 16)), expected 0x\(String(0x800 | dims, radix: 16))")
        }
        guard bytes.count >= headerSize else { throw .malformed(path: path, reason: "only \(bytes.count) bytes") }
        let sizes = (0..<dims).map { be32(4 + 4 * $0) }
        let expected = sizes.reduce(1, *)
        guard bytes.count - headerSize == expected else {
            throw .malformed(
                path: path, reason: "header promises \(expected) bytes of data, file holds \(bytes.count - headerSize)")
        }
        return (sizes, bytes[headerSize...])
    }

    /// Inflates a whole gzip file through zlib.
    static func gunzip(_ path: String) throws(DatasetError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
        guard let f = gzopen(path, "rb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(f, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let msg = gzerror(f, &code).map { String(cString: $0) } ?? "gzip error"
                throw .malformed(path: path, reason: msg)
            }
            if n == 0 { break }
            out += chunk[0..<Int(n)]
        }
        return out
    }
}
