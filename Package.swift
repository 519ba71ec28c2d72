// swift-tools-version:6.0
import PackageDescription

// The numeric core is only fast with unchecked arithmetic and a named CPU: without a
// target CPU every SIMD multiply-add becomes 16 calls to fmaf (ARCHITECTURE.md, Speed).
// FASHIONSORT_CPU=haswell gives a portable AVX2 build; the default tunes for this host.
let cpu = Context.environment["FASHIONSORT_CPU"] ?? "native"
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-target-cpu", cpu])]

let package = Package(
    name: "FashionSort",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fashionsort", targets: ["fashionsort"]),
        .executable(name: "fashionsortd", targets: ["fashionsortd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg-dev"])]),
        .target(name: "CImageCodecs", dependencies: ["CPNG", "CJPEG"],
                cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra"])]),
        .target(name: "ImageIntake", dependencies: ["CImageCodecs"], swiftSettings: fast),
        .systemLibrary(name: "CInotifyTools", path: "Sources/CInotifyTools", providers: [.apt(["libinotifytools0-dev"])]),
        // bfloat16 products (AVX-512 BF16), which Swift has no intrinsics for; chosen at run time.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra"])]),
        .target(name: "NeuralNet", dependencies: ["CKernels"], swiftSettings: fast),
        .target(
            name: "FashionModel",
            dependencies: ["NeuralNet", "ImageIntake", "CZlib"],
            resources: [.copy("Resources/default.safetensors")],
            swiftSettings: fast),
        .target(
            name: "Inbox",
            dependencies: ["FashionModel", "ImageIntake", "CInotifyTools", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: fast),
        .executableTarget(
            name: "fashionsort",
            dependencies: ["FashionModel", "Inbox", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: fast),
        .executableTarget(
            name: "fashionsortd",
            dependencies: ["Inbox", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: fast),
        // For the tests: temporary folders removed when they end, the built binaries' paths, waiting, CSV rows.
        .target(name: "TestSupport", dependencies: ["Inbox"], path: "Tests/TestSupport"),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"], swiftSettings: fast),
        .testTarget(name: "FashionModelTests", dependencies: ["FashionModel", "CZlib", "TestSupport"], swiftSettings: fast),
        .testTarget(name: "ImageIntakeTests", dependencies: ["ImageIntake", "FashionModel", "CZlib"], exclude: ["Fixtures"], swiftSettings: fast),
        .testTarget(name: "InboxTests", dependencies: ["Inbox", "TestSupport"], swiftSettings: fast),
        .testTarget(name: "fashionsortTests", dependencies: ["TestSupport"], swiftSettings: fast),
    ]
)
