/// The ten Fashion-MNIST classes, in label order.
public enum FashionClass: Int, CaseIterable, Sendable, Codable {
    case tshirtTop, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankleBoot

    /// The name the dataset's paper uses.
    public var name: String {
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"][
            rawValue]
    }

    /// Folder-safe name: output folders and labelled training folders.
    public var slug: String {
        ["t-shirt-top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"][
            rawValue]
    }

    public static let count = 10
}
