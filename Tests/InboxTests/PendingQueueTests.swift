import Testing
@testable import Inbox

@Suite struct PendingQueueTests {
    @Test func keepsOneEntryPerPathInArrivalOrder() async {
        let q = PendingQueue()
        #expect(q.push(QueuedFile(relative: "a", arrival: 1)))
        #expect(!q.push(QueuedFile(relative: "a", arrival: 2)))
        q.push(QueuedFile(relative: "b", arrival: 3))
        q.push(QueuedFile(relative: "c", arrival: 4))
        #expect(await q.nextBatch(max: 2)?.map(\.text) == ["a", "b"])
        q.push(QueuedFile(relative: "a", arrival: 5))  // taken before: may be queued again
        q.finish()
        #expect(
            await q.nextBatch(max: 10) == [
                QueuedFile(relative: "c", arrival: 4), QueuedFile(relative: "a", arrival: 5),
            ])
        #expect(await q.nextBatch(max: 10) == nil)
    }

    @Test func aWaitingConsumerIsWokenByAPushAndByClose() async {
        let q = PendingQueue()
        async let first = q.nextBatch(max: 8)
        try? await Task.sleep(for: .milliseconds(20))
        q.push(QueuedFile(relative: "x", arrival: 0))
        let got = await first
        #expect(got?.map(\.text) == ["x"])
        async let second = q.nextBatch(max: 8)
        try? await Task.sleep(for: .milliseconds(20))
        q.push(QueuedFile(relative: "y", arrival: 0))
        q.close()
        let taken = await second
        #expect(taken == nil || taken?.map(\.text) == ["y"])
        #expect(await q.nextBatch(max: 8) == nil)
    }

    /// Mac uploads write names decomposed (NFD), Windows composed (NFC): two files, two entries.
    @Test func namesThatDifferOnlyInNormalisationAreTwoFiles() async {
        let q = PendingQueue()
        let composed = "caf\u{E9}.png", decomposed = "cafe\u{301}.png"
        #expect(composed == decomposed)  // what String says
        #expect(q.push(QueuedFile(relative: composed, arrival: 0)))
        #expect(q.push(QueuedFile(relative: decomposed, arrival: 0)))
        #expect(await q.nextBatch(max: 8)?.count == 2)
    }
}
