// swift-tools-version:6.2
import PackageDescription

// The numeric core is only fast with unchecked arithmetic and a named CPU: without a
// target CPU every SIMD multiply-add becomes 16 calls to fmaf (docs/DESIGN.md). The shell
// around it waits on files, so it builds with the package's defaults (faster debug builds).
// FASHIONSORT_CPU=haswell gives a portable AVX2 build; the default tunes for this host.
let cpu = Context.environment["FASHIONSORT_CPU"] ?? "native"
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-target-cpu", cpu])]
let cFlags: [CSetting] = [.unsafeFlags(["-O2", "-Wall", "-Wextra"])]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let system = Target.Dependency.product(name: "SystemPackage", package: "swift-system")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let signals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")
let configuration = Target.Dependency.product(name: "Configuration", package: "swift-configuration")
let yams = Target.Dependency.product(name: "Yams", package: "Yams")

let package = Package(
    name: "FashionSort",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fashionsort", targets: ["fashionsort"]),
        .executable(name: "fashionsortd", targets: ["fashionsortd"]),
        // For fuzz/IntakeFuzzer, a package of its own.
        .library(name: "ImageIntake", targets: ["ImageIntake"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // C libraries and shims. Swift never sees png.h or jpeglib.h: only CImageCodecs' C files do.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .systemLibrary(
            name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(
            name: "CInotifyTools", path: "Sources/CInotifyTools", providers: [.apt(["libinotifytools0-dev"])]),
        .target(name: "CImageCodecs", dependencies: ["CPNG", "CJPEG"], cSettings: cFlags),
        // bfloat16 products (AVX-512 BF16), which Swift has no intrinsics for; chosen at run time.
        .target(name: "CKernels", cSettings: cFlags),

        // The pure core: tensors and layers; decoding and conversion.
        .target(name: "NeuralNet", dependencies: ["CKernels"], swiftSettings: fast),
        .target(name: "FileSystem", dependencies: ["CLinux", system]),
        .target(name: "ImageIntake", dependencies: ["CImageCodecs", "CCrypto", "FileSystem"], swiftSettings: fast),
        .target(name: "ImageSynthesis", dependencies: ["CImageCodecs", "ImageIntake"], swiftSettings: fast),
        // The model as the daemon uses it: load, classify, decide. Training, datasets, evaluation and
        // calibration are `Training`'s, which only `fashionsort` links.
        .target(
            name: "FashionModel",
            dependencies: ["NeuralNet", "ImageIntake", "FileSystem"],
            resources: [.copy("Resources/default.safetensors")],
            swiftSettings: fast),
        .target(
            name: "Training", dependencies: ["FashionModel", "NeuralNet", "ImageIntake", "FileSystem", "CZlib"],
            swiftSettings: fast),
        .target(
            name: "ModelReport",
            dependencies: ["FashionModel", "Training", "FileSystem", "ImageIntake", "ImageSynthesis", "NeuralNet"]),
        .target(name: "Results", dependencies: ["FashionModel", "FileSystem", "CSQLite", system]),

        // The daemon's machinery, and the two programs.
        .target(
            name: "Inbox",
            dependencies: [
                "FashionModel", "ImageIntake", "FileSystem", "Results", "CInotifyTools", logging, lifecycle, system,
            ]),
        // Recording, filing and recovery: one actor writes; the pipeline that wires the rooms together.
        .target(
            name: "Sorting",
            dependencies: [
                "Inbox", "FashionModel", "ImageIntake", "FileSystem", "Results", "CLinux", logging, lifecycle,
            ]),
        .executableTarget(
            name: "fashionsortd",
            dependencies: [
                "Inbox", "Sorting", "FashionModel", "Results", "NeuralNet", argumentParser, logging, lifecycle, signals,
                configuration, yams, system,
            ]),
        .executableTarget(
            name: "fashionsort",
            dependencies: [
                "FashionModel", "Training", "ModelReport", "Results", "ImageIntake", "ImageSynthesis", "FileSystem",
                "NeuralNet", argumentParser,
            ]),

        // Tests mirror the targets. TestSupport: temporary folders, the built binaries, waiting, CSV rows.
        .target(
            name: "TestSupport", dependencies: ["Results", "ImageSynthesis", "FashionModel"],
            path: "Tests/TestSupport"),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"], swiftSettings: fast),
        .testTarget(name: "FileSystemTests", dependencies: ["FileSystem", "TestSupport"]),
        .testTarget(
            name: "ImageIntakeTests", dependencies: ["ImageIntake", "ImageSynthesis", "CZlib", "TestSupport"],
            exclude: ["Fixtures"], swiftSettings: fast),
        .testTarget(
            name: "FashionModelTests", dependencies: ["FashionModel", "ImageSynthesis", "TestSupport"],
            swiftSettings: fast),
        .testTarget(
            name: "TrainingTests",
            dependencies: ["Training", "FashionModel", "ImageSynthesis", "CZlib", "TestSupport"],
            swiftSettings: fast),
        .testTarget(name: "ModelReportTests", dependencies: ["ModelReport", "TestSupport"]),
        .testTarget(name: "ResultsTests", dependencies: ["FashionModel", "Results", "TestSupport"]),
        .testTarget(name: "InboxTests", dependencies: ["Inbox", "TestSupport"]),
        .testTarget(
            name: "SortingTests",
            dependencies: [
                "Sorting", "Inbox", "TestSupport",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "fashionsortdTests",
            dependencies: ["fashionsortd", "FashionModel", "FileSystem", "Results", "TestSupport", "CSQLite", "CLinux"]),
        .testTarget(name: "fashionsortTests", dependencies: ["FashionModel", "TestSupport"]),
    ]
)

// Every Swift module imports what it uses by name: a member of a module it does not import is an error.
for target in package.targets where target.type != .system && !target.name.hasPrefix("C") {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
