import ImageIntake

/// Any bytes through what the daemon does with a file's contents: sniff, decode with its limits,
/// convert to the 28×28 input. An error is an answer; a crash, a trap or a bad access is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    guard let image = try? ImageDecoder.decode(bytes, file: "fuzz", limits: PhotoLoader.limits()) else { return 0 }
    let pixels = FashionConversion.convert(image)
    precondition(pixels.count == 784 && pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, "conversion out of range")
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<Module>_main`, which -parse-as-library never emits
/// (swiftlang/swift#75800): this is it, and it hands over to libFuzzer's driver.
@_cdecl("IntakeFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runDriver(&count, &arguments) { fuzz($0, $1) }
}
