/// The safetensors format (huggingface/safetensors): an 8-byte little-endian
/// header length, a JSON header naming each tensor's dtype, shape and byte
/// range, then the raw little-endian data. Parsing checks every range and
/// size, so a truncated or corrupt file is an error, never a crash.
public struct Safetensors: Sendable {
    public struct Entry: Sendable {
        public let dtype: String
        public let shape: [Int]
        public let range: Range<Int>
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case truncated(String)
        case badHeader(String)
        case missing(String)
        case mismatch(String)

        public var description: String {
            switch self {
            case .truncated(let s): "truncated: \(s)"
            case .badHeader(let s): "corrupt header: \(s)"
            case .missing(let s): "missing tensor \(s)"
            case .mismatch(let s): "mismatch: \(s)"
            }
        }
    }

    public let metadata: [String: String]
    public let entries: [String: Entry]
    private let data: ArraySlice<UInt8>

    public init(bytes: [UInt8]) throws(Problem) {
        guard bytes.count >= 8 else { throw .truncated("\(bytes.count) bytes, need at least 8") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw .truncated("header claims \(n) bytes, file has \(bytes.count - 8)")
        }
        let header: JSON
        do { header = try JSON.parse(bytes[8..<8 + Int(n)]) } catch { throw .badHeader(error.description) }
        guard case .object(let obj) = header else { throw .badHeader("not a JSON object") }
        data = bytes[(8 + Int(n))...]
        var meta: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in obj {
            if name == "__metadata__" {
                guard case .object(let m) = value else { throw .badHeader("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v.string else { throw .badHeader("metadata \(k) is not a string") }
                    meta[k] = s
                }
                continue
            }
            guard let dtype = value["dtype"]?.string,
                let shape = value["shape"]?.array?.compactMap(\.int), shape.allSatisfy({ $0 >= 0 }),
                let offs = value["data_offsets"]?.array?.compactMap(\.int), offs.count == 2,
                offs[0] >= 0, offs[0] <= offs[1]
            else { throw .badHeader("entry \(name) lacks dtype, shape or data_offsets") }
            guard offs[1] <= data.count else { throw .truncated("\(name) ends at byte \(offs[1]) of \(data.count)") }
            let width = ["F32": 4, "I64": 8, "F64": 8, "I32": 4, "F16": 2, "BF16": 2, "U8": 1][dtype] ?? 0
            guard width > 0, shape.reduce(1, *) * width == offs[1] - offs[0]
            else { throw .badHeader("\(name): \(dtype) \(shape) does not fill \(offs[1] - offs[0]) bytes") }
            entries[name] = Entry(dtype: dtype, shape: shape, range: offs[0]..<offs[1])
        }
        self.metadata = meta
        self.entries = entries
    }

    /// The float32 tensor `name`, which must have `shape`.
    public func tensor(_ name: String, shape: [Int]) throws(Problem) -> Tensor {
        guard let e = entries[name] else { throw .missing(name) }
        guard e.dtype == "F32" else { throw .mismatch("\(name) is \(e.dtype), expected F32") }
        guard e.shape == shape else { throw .mismatch("\(name) has shape \(e.shape), expected \(shape)") }
        let start = data.startIndex + e.range.lowerBound
        var values = [Float](repeating: 0, count: e.shape.reduce(1, *))
        for i in values.indices {
            var bits: UInt32 = 0
            for b in 0..<4 { bits |= UInt32(data[start + 4 * i + b]) << (8 * UInt32(b)) }
            values[i] = Float(bitPattern: bits)
        }
        guard values.allSatisfy(\.isFinite) else { throw .mismatch("\(name) holds NaN or infinite values") }
        return Tensor(shape: shape, data: values)
    }

    /// The scalar int64 tensor `name`, if present.
    public func int64(_ name: String) -> Int64? {
        guard let e = entries[name], e.dtype == "I64", e.range.count == 8 else { return nil }
        var v: UInt64 = 0
        for b in 0..<8 { v |= UInt64(data[data.startIndex + e.range.lowerBound + b]) << (8 * UInt64(b)) }
        return Int64(bitPattern: v)
    }

    /// A U8 tensor's bytes and shape.
    public func bytes(_ name: String) throws(Problem) -> (bytes: [UInt8], shape: [Int]) {
        guard let e = entries[name] else { throw .missing(name) }
        guard e.dtype == "U8" else { throw .mismatch("\(name) is \(e.dtype), expected U8") }
        return (Array(data[(data.startIndex + e.range.lowerBound)..<(data.startIndex + e.range.upperBound)]), e.shape)
    }

    /// Serialises float32 tensors, uint8 tensors (bytes and shape), int64 scalars and string metadata.
    public static func encode(
        floats: [(String, Tensor)], bytes: [(String, [UInt8], [Int])] = [], int64s: [(String, Int64)] = [],
        metadata: [String: String]
    ) -> [UInt8] {
        var parts: [String] = []
        var offset = 0
        for (name, t) in floats {
            let shape = t.shape.map(String.init).joined(separator: ",")
            parts.append(
                "\(JSON.quote(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(offset + 4 * t.count)]}")
            offset += 4 * t.count
        }
        for (name, b, shape) in bytes {
            parts.append(
                "\(JSON.quote(name)):{\"dtype\":\"U8\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],"
                    + "\"data_offsets\":[\(offset),\(offset + b.count)]}")
            offset += b.count
        }
        for (name, _) in int64s {
            parts.append(
                "\(JSON.quote(name)):{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[\(offset),\(offset + 8)]}")
            offset += 8
        }
        let meta = metadata.sorted { $0.key < $1.key }.map { "\(JSON.quote($0.key)):\(JSON.quote($0.value))" }
        parts.insert("\"__metadata__\":{\(meta.joined(separator: ","))}", at: 0)
        var header = Array("{\(parts.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // align the data to 8 bytes
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: UInt64(header.count) >> (8 * UInt64(i)))) }
        out += header
        for (_, t) in floats {
            for v in t.data {
                let b = v.bitPattern; for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: b >> (8 * UInt32(i)))) }
            }
        }
        for (_, b, _) in bytes { out += b }
        for (_, v) in int64s {
            let b = UInt64(bitPattern: v);
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))) }
        }
        return out
    }
}
