import FashionModel
import Foundation
import NeuralNet

/// Photos a model was trained on, kept beside it as model inputs so a fine-tune can rehearse them: a shop's
/// few photos then add to what the model knows instead of pulling it away from it (rehearsal). Stored as a
/// safetensors file of 8-bit 28×28 images (`images`, `labels`, `outliers`): the 4,314 photos of the shipped
/// model take 3.4 MB.
public struct ReplaySet: Sendable {
    public var images: LabelledImages
    /// [M, 28·28] photos of things in no class.
    public var outliers: [Float]

    public static let format = "fashionsort-replay/1"

    /// The file a command-line name means: `default` is the shipped model's replay set (installed beside it,
    /// or models/ in a clone); anything else is a path.
    public static func path(named name: String) -> String {
        guard name == Model.defaultName else { return name }
        let installed = (Model.defaultPath as NSString).deletingLastPathComponent + "/replay.safetensors"
        if FileManager.default.fileExists(atPath: installed) { return installed }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let share = (exe as NSString).deletingLastPathComponent + "/../share/fashionsort/replay.safetensors"
        if FileManager.default.fileExists(atPath: share) { return share }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/replay.safetensors").path
    }

    public init(images: LabelledImages, outliers: [Float]) {
        self.images = images
        self.outliers = outliers
    }

    public init(contentsOf path: String) throws(CheckpointError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "no such file or not readable")
        }
        do {
            let file = try Safetensors(bytes: [UInt8](data))
            guard file.metadata["format"] == Self.format else {
                throw CheckpointError.incompatible(path: path, reason: "not a replay set (\(Self.format))")
            }
            let images = try file.bytes("images"), labels = try file.bytes("labels"), other = try file.bytes("outliers")
            self.images = LabelledImages(
                pixels: images.bytes.map { Float($0) / 255 }, labels: labels.bytes.map(Int.init))
            outliers = other.bytes.map { Float($0) / 255 }
        } catch let error as CheckpointError {
            throw error
        } catch let problem as Safetensors.Problem {
            throw .invalid(path: path, problem: problem)
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    public func write(to path: String) throws(CheckpointError) {
        func quantised(_ pixels: [Float]) -> [UInt8] { pixels.map { UInt8((min(max($0, 0), 1) * 255).rounded()) } }
        let side = LabelledImages.side
        let bytes = Safetensors.encode(
            floats: [],
            bytes: [
                ("images", quantised(images.pixels), [images.count, side, side]),
                ("labels", images.labels.map(UInt8.init), [images.count]),
                ("outliers", quantised(outliers), [outliers.count / LabelledImages.size, side, side]),
            ], metadata: ["format": Self.format])
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw .unwritable(path: path, reason: "cannot create the file")
        }
    }
}
