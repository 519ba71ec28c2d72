import FashionModel
import Foundation
import ImageSynthesis

/// A small valid PNG: a bright blob on black (Fashion-MNIST-like), varied by `seed`.
public func samplePNG(_ seed: Int) -> [UInt8] {
    var g = [UInt8](repeating: 0, count: 784)
    for y in 4..<24 {
        for x in 6..<22 where (x * 7 + y * 3 + seed) % 5 != 0 { g[y * 28 + x] = UInt8(100 + (seed * 37 + x * y) % 155) }
    }
    for b in 0..<4 { g[b] = UInt8(truncatingIfNeeded: seed >> (8 * b)) }  // unique content per seed
    return try! ImageEncoder.png(g, width: 28, height: 28, channels: 1)
}

/// An untrained but valid model: daemon behaviour does not depend on accuracy.
public func smallModel(in dir: String) -> String {
    let path = "\(dir)/model.safetensors"
    try! Model(architecture: .seed, seed: 7).save(to: path)
    return path
}

public func write(_ bytes: [UInt8], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// Regular files under a folder, recursively, hidden ones included.
public func filesUnder(_ folder: String) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: folder) else { return [] }
    return e.compactMap { $0 as? String }.filter {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: "\(folder)/\($0)", isDirectory: &isDir) && !isDir.boolValue
    }
}
