import Testing
@testable import Inbox

@Suite struct PendingQueueTests {
    @Test func keepsOneEntryPerPathInArrivalOrder() async {
        let q = PendingQueue()
        #expect(q.push(QueuedFile(path: "a", arrival: 1)))
        #expect(!q.push(QueuedFile(path: "a", arrival: 2)))
        q.push(QueuedFile(path: "b", arrival: 3))
        q.push(QueuedFile(path: "c", arrival: 4))
        #expect(await q.nextBatch(max: 2)?.map(\.path) == ["a", "b"])
        q.push(QueuedFile(path: "a", arrival: 5))  // taken before: may be queued again
        q.finish()
        #expect(await q.nextBatch(max: 10) == [QueuedFile(path: "c", arrival: 4), QueuedFile(path: "a", arrival: 5)])
        #expect(await q.nextBatch(max: 10) == nil)
    }

    @Test func aWaitingConsumerIsWokenByAPushAndByClose() async {
        let q = PendingQueue()
        async let first = q.nextBatch(max: 8)
        try? await Task.sleep(for: .milliseconds(20))
        q.push(QueuedFile(path: "x", arrival: 0))
        let got = await first
        #expect(got?.map(\.path) == ["x"])
        async let second = q.nextBatch(max: 8)
        try? await Task.sleep(for: .milliseconds(20))
        q.push(QueuedFile(path: "y", arrival: 0))
        q.close()
        let taken = await second
        #expect(taken == nil || taken?.map(\.path) == ["y"])
        #expect(await q.nextBatch(max: 8) == nil)
    }
}
