/// A minimal JSON reader for safetensors headers, so the numeric core needs
/// no Foundation. Rejects anything malformed rather than guessing.
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    public struct ParseError: Error, CustomStringConvertible {
        public let offset: Int, reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    public static func parse(_ bytes: ArraySlice<UInt8>) throws(ParseError) -> JSON {
        var p = Parser(b: Array(bytes), i: 0)
        let v = try p.value(depth: 0)
        p.skip()
        guard p.i == p.b.count else { throw ParseError(offset: p.i, reason: "trailing characters") }
        return v
    }

    public subscript(key: String) -> JSON? { if case .object(let o) = self { o[key] } else { nil } }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var int: Int? {
        if case .number(let d) = self, d == d.rounded(), abs(d) < 9e15 { Int(d) } else { nil }
    }
    public var array: [JSON]? { if case .array(let a) = self { a } else { nil } }

    private struct Parser {
        let b: [UInt8]
        var i: Int

        mutating func skip() { while i < b.count, [0x20, 0x0A, 0x0D, 0x09].contains(b[i]) { i += 1 } }
        func fail(_ r: String) -> ParseError { ParseError(offset: i, reason: r) }

        mutating func value(depth: Int) throws(ParseError) -> JSON {
            guard depth < 64 else { throw fail("nested too deeply") }
            skip()
            guard i < b.count else { throw fail("unexpected end") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1; var o: [String: JSON] = [:]
                skip()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                while true {
                    skip()
                    let k = try string()
                    skip()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1
                    o[k] = try value(depth: depth + 1)
                    skip()
                    guard i < b.count else { throw fail("unexpected end") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1; var a: [JSON] = []
                skip()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                while true {
                    a.append(try value(depth: depth + 1))
                    skip()
                    guard i < b.count else { throw fail("unexpected end") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ s: String) throws(ParseError) {
            let u = Array(s.utf8)
            guard i + u.count <= b.count, Array(b[i..<i + u.count]) == u else { throw fail("bad literal") }
            i += u.count
        }

        mutating func number() throws(ParseError) -> Double {
            let start = i
            while i < b.count, "+-0123456789.eE".utf8.contains(b[i]) { i += 1 }
            guard i > start, let d = Double(String(decoding: b[start..<i], as: UTF8.self)) else {
                throw fail("bad number")
            }
            return d
        }

        mutating func string() throws(ParseError) -> String {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected string") }
            i += 1
            var out: [UInt8] = []
            while i < b.count {
                let c = b[i]; i += 1
                if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                if c != UInt8(ascii: "\\") { out.append(c); continue }
                guard i < b.count else { break }
                let e = b[i]; i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16)
                    else { throw fail("bad \\u escape") }
                    i += 4
                    out.append(contentsOf: Array(String(Unicode.Scalar(v).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
            }
            throw fail("unterminated string")
        }
    }
}

extension JSON {
    /// Serialises a string as a JSON string literal.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
