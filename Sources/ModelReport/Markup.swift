import Foundation

/// A piece of SVG or HTML. Text becomes markup only escaped (a string literal or
/// `Markup(_:)`) or through `element`, so escaping and number formatting live here.
struct Markup: ExpressibleByStringInterpolation {
    let source: String

    init(stringLiteral text: String) { source = Self.escape(text) }
    init(_ text: String) { source = Self.escape(text) }
    private init(source: String) { self.source = source }

    /// Elements HTML writes without a closing tag.
    private static let void: Set<String> = ["img", "br", "meta"]

    /// `<name a="v" …>children</name>`; attributes keep their order, and an empty
    /// element still gets a closing tag because HTML ignores `/>` on `<td/>` and the like.
    static func element(
        _ name: String, _ attributes: KeyValuePairs<String, any AttributeValue> = [:], _ children: [Markup] = []
    ) -> Markup {
        let attrs = attributes.map { " \($0.key)=\"\(escape($0.value.attributeText))\"" }.joined()
        if void.contains(name) { return Markup(source: "<\(name)\(attrs)>") }
        return Markup(source: "<\(name)\(attrs)>\(children.map(\.source).joined())</\(name)>")
    }

    static func element(_ name: String, _ children: [Markup]) -> Markup { element(name, [:], children) }

    /// Children side by side, without an element around them.
    static func group(_ children: [Markup]) -> Markup { Markup(source: children.map(\.source).joined()) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Coordinates to 0.1 px, without a trailing ".0": enough for the screen, short in the file.
    static func number(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        if r == 0 { return "0" }  // not "-0"
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

protocol AttributeValue { var attributeText: String { get } }
extension String: AttributeValue { var attributeText: String { self } }
extension Int: AttributeValue { var attributeText: String { String(self) } }
extension Double: AttributeValue { var attributeText: String { Markup.number(self) } }
