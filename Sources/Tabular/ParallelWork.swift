import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs independent, index-addressed work items on a fixed number of threads.
/// Each result lands in its own slot, so the output never depends on scheduling.
public enum ParallelWork {
    public static var defaultThreadCount: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    /// `[body(0), body(1), ...]`, computed on up to `threads` threads.
    public static func map<Result: Sendable>(
        count: Int, threads: Int, _ body: @Sendable (Int) -> Result
    ) -> [Result] {
        guard count > 0 else { return [] }
        let workers = min(max(1, threads), count)
        if workers == 1 { return (0..<count).map(body) }
        let slots = ResultSlots<Result>(count: count)
        // Workers take the next unclaimed index, so uneven items balance across threads;
        // each result still lands in its own slot.
        let counter = WorkCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = counter.next()
                if index >= count { break }
                slots.store(body(index), at: index)
            }
        }
        return slots.collect()
    }
}

/// Write-once slots filled from several threads, each slot by exactly one of them.
private final class ResultSlots<Result>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Result?>
    private let count: Int

    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    func store(_ value: Result, at index: Int) { storage[index] = value }

    func collect() -> [Result] { (0..<count).map { storage[$0]! } }
}

/// A shared, thread-safe "next index" for work distribution.
private final class WorkCounter: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}
