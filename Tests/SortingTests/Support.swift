import FashionModel
import Foundation
import Inbox
import Logging
import Synchronization
import TestSupport
@testable import Sorting

/// A clock the tests set.
final class Clock: Sendable {
    private let time: Mutex<Date>
    init(_ iso: String) { time = Mutex(ISO8601DateFormatter().date(from: iso)!) }
    var now: Date {
        get { time.withLock { $0 } }
        set { time.withLock { $0 = newValue } }
    }
}

let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A pipeline on a fresh layout under `root`, with the small test model.
func makePipeline(
    _ root: String, clock: Clock, instance: String = "test", batch: Int = 256,
    files: AsyncStream<QueuedFile> = AsyncStream { $0.finish() }
) throws -> Pipeline {
    let layout = Layout(root: root, instance: instance)
    try layout.create()
    let model = try Model(contentsOf: smallModel(in: root))
    var options = Pipeline.Options()
    options.batch = batch
    return try Pipeline(
        layout: layout, model: model, options: options, files: files, clock: { clock.now }, logger: quietLogger)
}

/// Inbox files by their paths.
func queued(_ paths: String...) -> [QueuedFile] {
    paths.map { QueuedFile(relative: String($0[$0.range(of: "/inbox/")!.upperBound...]), arrival: 0) }
}
