// swift-tools-version: 6.2
// The Swift intake path (decode + the Fashion-MNIST conversion) as a libFuzzer target. A package of its own
// so that the product's build and CI never compile it; fuzz/run.sh builds it with -sanitize=fuzzer,address.
import PackageDescription

let package = Package(
    name: "IntakeFuzzer",
    dependencies: [.package(name: "FashionSort", path: "../..")],
    targets: [
        .executableTarget(
            name: "IntakeFuzzer", dependencies: [.product(name: "ImageIntake", package: "FashionSort")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    ]
)
