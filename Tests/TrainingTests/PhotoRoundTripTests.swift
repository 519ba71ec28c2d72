import Foundation
import ImageIntake
import ImageSynthesis
import Testing
@testable import FashionModel
@testable import Training

@Suite(
    .enabled(
        if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/t10k-images-idx3-ubyte.gz"),
        "needs Debian's dataset-fashion-mnist"))
struct RoundTripTests {
    /// 1,000 test images rendered as product photos, saved as PNG and JPEG,
    /// decoded and converted back: close to the original and, for the shipped
    /// model, the same class at least 95% of the time.
    @Test func productPhotosConvertBackToTheDataset() throws {
        let test = try FashionMNIST.load(.test)
        let model = try Model(contentsOf: Model.defaultPath)
        let n = 1000
        var originals: [Float] = [], png: [Float] = [], jpeg: [Float] = []
        for i in 0..<n {
            let g = Array(test.pixels[i * 784..<(i + 1) * 784])
            let tint: [Float] = [0, 0, 0]  // black ink: the rendering is then the exact inverse of negation
            let photo = ProductPhoto.render(g, width: 150 + i % 50, height: 195 + i % 30, tint: tint).image
            let p = try ImageDecoder.decode(
                try ImageEncoder.png(photo.rgb, width: photo.width, height: photo.height, channels: 3), file: "\(i).png"
            )
            let j = try ImageDecoder.decode(try ImageEncoder.jpeg(photo), file: "\(i).jpg")
            originals += g
            png += FashionConversion.convert(p)
            jpeg += FashionConversion.convert(j)
        }
        let maePNG = zip(originals, png).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(originals.count)
        let maeJPEG = zip(originals, jpeg).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(originals.count)
        print("round trip: mean absolute pixel difference PNG \(maePNG * 255)/255, JPEG \(maeJPEG * 255)/255")
        #expect(maePNG < 0.08 && maeJPEG < 0.08)
        let reference = model.predict(originals).map(\.best.label)
        for (name, converted) in [("PNG", png), ("JPEG", jpeg)] {
            let same = zip(reference, model.predict(converted).map(\.best.label)).filter { $0 == $1 }.count
            print("round trip \(name): \(same) of \(n) keep their class")
            #expect(same >= 950, "\(name): only \(same) of \(n) keep their class")
        }
    }
}
