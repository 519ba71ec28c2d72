import CLinux
import Glibc

/// Threads of their own for work that blocks: decoding a hostile file may take its full second, and an
/// fsync or a rename on a slow disk longer. Run on Swift's cooperative pool (one thread per core, two here)
/// such work would stall every other task of the daemon, the watchdog's among them; run on these executors
/// it holds only the tasks that chose them.

/// A task executor of `threads` threads, for the decoders: `withTaskExecutorPreference(pool)` runs a
/// task group's children on them.
public final class WorkerPool: TaskExecutor, Sendable {
    private let threads: JobThreads

    public init(name: String, threads: Int) {
        self.threads = JobThreads(name: name, count: threads)
        self.threads.start { [unowned self] job in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }

    public func enqueue(_ job: consuming ExecutorJob) { threads.enqueue(UnownedJob(job)) }
}

/// A serial executor on one thread of its own, for an actor whose methods block (the recorder's fsync and
/// renames): `nonisolated var unownedExecutor { thread.asUnownedSerialExecutor() }`.
public final class WorkerThread: SerialExecutor, Sendable {
    private let thread: JobThreads

    public init(name: String) {
        thread = JobThreads(name: name, count: 1)
        thread.start { [unowned self] job in job.runSynchronously(on: asUnownedSerialExecutor()) }
    }

    public func enqueue(_ job: consuming ExecutorJob) { thread.enqueue(UnownedJob(job)) }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}

/// Jobs in arrival order, run by `count` threads that live as long as the process.
private final class JobThreads: @unchecked Sendable {
    // @unchecked: `jobs` is touched only with `mutex` held.
    private var mutex = pthread_mutex_t()
    private var ready = pthread_cond_t()
    private var jobs: [UnownedJob] = []
    private var head = 0
    let name: String, count: Int

    init(name: String, count: Int) {
        self.name = name
        self.count = max(1, count)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&ready, nil)
    }

    func start(_ run: @escaping @Sendable (UnownedJob) -> Void) {
        for _ in 0..<count {
            let context = Unmanaged.passRetained(Start(threads: self, run: run)).toOpaque()
            var thread = pthread_t()
            pthread_create(
                &thread, nil,
                { raw in
                    let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
                    start.threads.loop(start.run)
                    return nil
                }, context)
            pthread_detach(thread)
        }
    }

    func enqueue(_ job: UnownedJob) {
        pthread_mutex_lock(&mutex)
        jobs.append(job)
        pthread_cond_signal(&ready)
        pthread_mutex_unlock(&mutex)
    }

    private func loop(_ run: (UnownedJob) -> Void) {
        _ = String(name.prefix(15)).withCString { pthread_setname_np(pthread_self(), $0) }
        while true {
            pthread_mutex_lock(&mutex)
            while head == jobs.count { pthread_cond_wait(&ready, &mutex) }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            pthread_mutex_unlock(&mutex)
            run(job)
        }
    }

    private final class Start {
        let threads: JobThreads, run: @Sendable (UnownedJob) -> Void
        init(threads: JobThreads, run: @escaping @Sendable (UnownedJob) -> Void) {
            self.threads = threads
            self.run = run
        }
    }
}
