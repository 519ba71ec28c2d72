import Dispatch
import Synchronization

/// Helper threads that wait for work by spinning briefly, then sleeping.
///
/// `DispatchQueue.concurrentPerform` wakes a sleeping worker for every call;
/// measured here, a batch-1 forward pass split over two cores that way took
/// 0.20–0.24 ms against 0.17 ms on one core (lone images now stay on one
/// core; small batches still split layer by layer). Spinning helpers answer within
/// a microsecond while calls come back to back, as OpenMP's and Eigen's
/// pools do, and sleep after `spinLimit` idle polls so an idle daemon costs nothing.
/// Unchecked: all shared state is atomic except `job`, which `busy` and `epoch`'s release/acquire order.
final class WorkerPool: @unchecked Sendable {
    private let helpers: Int
    /// Job number × 256 + its part count, so a helper reads both at once.
    private let epoch = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)  // helper parts still running
    private let busy = Atomic<Bool>(false)  // one job at a time; nested or concurrent calls run inline
    private let sleepers: [Sleeper]
    // Written by the caller before `epoch` is released, read by helpers after acquiring it.
    private nonisolated(unsafe) var job: (Int) -> Void = { _ in }
    private let spinLimit = 1 << 16

    init(threads: Int) {
        helpers = max(0, threads - 1)
        sleepers = (0..<helpers).map { _ in Sleeper() }
        for h in 0..<helpers {
            DispatchQueue(label: "fashionsort.worker.\(h + 1)").async { [self] in loop(helper: h) }
        }
    }

    /// Runs `body(part)` for `0..<parts` (at most helpers + 1), part 0 on the caller.
    /// Returns false, having run nothing, when the pool is already busy.
    func run(_ parts: Int, _ body: @escaping (Int) -> Void) -> Bool {
        guard parts > 1, parts <= min(helpers + 1, 255),
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        job = body
        pending.store(parts - 1, ordering: .relaxed)
        epoch.store((epoch.load(ordering: .relaxed) >> 8 + 1) << 8 | parts, ordering: .sequentiallyConsistent)
        for h in 0..<(parts - 1) where sleepers[h].asleep.exchange(false, ordering: .sequentiallyConsistent) {
            sleepers[h].wake.signal()
        }
        body(0)
        while pending.load(ordering: .acquiring) > 0 {}
        job = { _ in }
        busy.store(false, ordering: .releasing)
        return true
    }

    private func loop(helper h: Int) {
        var seen = 0
        let me = sleepers[h]
        while true {
            var spins = 0
            while epoch.load(ordering: .acquiring) == seen {
                spins += 1
                guard spins > spinLimit else { continue }
                // Announce the sleep, then re-check: a job published in between
                // either sees the flag (and signals) or is seen here.
                me.asleep.store(true, ordering: .sequentiallyConsistent)
                if epoch.load(ordering: .sequentiallyConsistent) == seen {
                    me.wake.wait()
                } else if !me.asleep.exchange(false, ordering: .sequentiallyConsistent) {
                    me.wake.wait()  // the caller took the flag: consume its signal
                }
                spins = 0
            }
            seen = epoch.load(ordering: .acquiring)
            guard h + 1 < seen & 255 else { continue }
            job(h + 1)
            pending.subtract(1, ordering: .releasing)
        }
    }

    /// A helper's sleep flag and the semaphore that wakes it.
    private final class Sleeper: Sendable {
        let asleep = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }
}
