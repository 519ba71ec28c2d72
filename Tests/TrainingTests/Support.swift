import Foundation
import TestSupport
@testable import FashionModel
@testable import Training

/// Fashion-MNIST is installed by .ci/run (Debian dataset-fashion-mnist); the
/// tests that need it are skipped only where it is absent, with that reason.
let datasetInstalled = FileManager.default.fileExists(
    atPath: FashionMNIST.defaultDirectory + "/t10k-images-idx3-ubyte.gz")
