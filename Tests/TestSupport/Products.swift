import Foundation

/// The path of a product built beside the running tests (`fashionsort`,
/// `fashionsortd`): tests drive the real binaries.
public func builtProduct(_ name: String) -> String {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = (exe as NSString).deletingLastPathComponent
    // The test bundle may sit one level below the products folder.
    if !FileManager.default.fileExists(atPath: "\(dir)/\(name)") { dir = (dir as NSString).deletingLastPathComponent }
    return "\(dir)/\(name)"
}
