/// A dense float32 tensor in row-major (NCHW for images) order.
///
/// A value type over a Swift array: layers read and write it through unsafe
/// pointers inside `withUnsafe…` scopes, so copies happen only when shared.
public struct Tensor: Sendable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not hold \(data.count) values")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor whose every value the caller overwrites: skips zero-filling.
    public init(uninitialized shape: [Int]) {
        let n = shape.reduce(1, *)
        self.init(shape: shape, data: [Float](unsafeUninitializedCapacity: n) { _, c in c = n })
    }

    public var count: Int { data.count }
    /// Values per batch item.
    public var itemSize: Int { shape.dropFirst().reduce(1, *) }

    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// Items `range` of the leading dimension, as a new tensor.
    public func items(_ range: Range<Int>) -> Tensor {
        let n = itemSize
        var s = shape
        s[0] = range.count
        return Tensor(shape: s, data: Array(data[range.lowerBound * n..<range.upperBound * n]))
    }
}

/// Grows or shrinks a scratch array, keeping its storage when the size is unchanged.
@inline(__always) func resize(_ a: inout [Float], to n: Int) {
    if a.count != n { a = [Float](unsafeUninitializedCapacity: n) { _, c in c = n } }
}
