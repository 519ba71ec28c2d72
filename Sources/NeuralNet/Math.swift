#if canImport(Glibc)
    import Glibc
    @usableFromInline func c_log(_ x: Double) -> Double { Glibc.log(x) }
    @usableFromInline func c_cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
    import Darwin
    @usableFromInline func c_log(_ x: Double) -> Double { Darwin.log(x) }
    @usableFromInline func c_cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif

/// The C library's elementary functions in one place, for the core and the
/// modules above it (Swift's standard library has no `log` or `cos` of its own).
public enum Math {
    @inlinable public static func log(_ x: Float) -> Float { logf(x) }
    @inlinable public static func log(_ x: Double) -> Double { c_log(x) }
    @inlinable public static func cos(_ x: Double) -> Double { c_cos(x) }
    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
}
