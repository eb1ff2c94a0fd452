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

    /// `[body(0), body(1), ...]`, computed on up to `threads` threads. Inlinable: the hot
    /// loops of other modules call it per tree node, and an unspecialized generic call costs
    /// more than a small node's work.
    @inlinable
    public static func map<Result: Sendable>(
        count: Int, threads: Int, _ body: @Sendable (Int) -> Result
    ) -> [Result] {
        guard count > 0 else { return [] }
        let workers = min(max(1, threads), count)
        if workers == 1 {
            var results: [Result] = []
            results.reserveCapacity(count)
            for index in 0..<count { results.append(body(index)) }
            return results
        }
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

extension ParallelWork {
    /// `count` items cut into at most `parts` contiguous ranges of nearly equal size (none
    /// empty), the same cut whatever runs them.
    public static func ranges(count: Int, parts: Int) -> [Range<Int>] {
        let parts = max(1, min(parts, count))
        guard count > 0 else { return [] }
        return (0..<parts).map { part in (part * count / parts)..<((part + 1) * count / parts) }
    }

    /// Runs `body(part)` for each part on up to `threads` threads, for work that writes through
    /// `SharedPointer`s into memory the parts do not share.
    @inlinable
    public static func forEach(count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        _ = map(count: count, threads: threads) { body($0) }
    }
}

extension ParallelWork {
    /// As `map(count:threads:_:)`, on `pool`'s threads when there is one (a fit's many short
    /// steps; see `WorkerPool`).
    @inlinable
    public static func map<Result: Sendable>(count: Int, threads: Int, pool: WorkerPool?, _ body: @Sendable (Int) -> Result) -> [Result] {
        if let pool, threads > 1, count > 1 { return pool.map(count: count, body) }
        return map(count: count, threads: threads, body)
    }

    @inlinable
    public static func forEach(count: Int, threads: Int, pool: WorkerPool?, _ body: @Sendable (Int) -> Void) {
        _ = map(count: count, threads: threads, pool: pool) { body($0) }
    }
}

/// A pointer handed to parallel work items, each of which reads and writes only its own part
/// of the memory (disjoint ranges): the caller's guarantee, which is why this is unchecked.
public struct SharedPointer<Pointee>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Pointee>

    public init(_ base: UnsafeMutablePointer<Pointee>) {
        self.base = base
    }
}

/// A pointer handed to parallel work items that only read the memory behind it.
public struct SharedReadPointer<Pointee>: @unchecked Sendable {
    public let base: UnsafePointer<Pointee>

    public init(_ base: UnsafePointer<Pointee>) {
        self.base = base
    }
}

/// Write-once slots filled from several threads, each slot by exactly one of them.
@usableFromInline
final class ResultSlots<Result>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Result?>
    private let count: Int

    @usableFromInline
    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    @usableFromInline
    func store(_ value: Result, at index: Int) { storage[index] = value }

    @usableFromInline
    func collect() -> [Result] { (0..<count).map { storage[$0]! } }
}

/// A shared, thread-safe "next index" for work distribution.
@usableFromInline
final class WorkCounter: Sendable {
    private let value = Atomic<Int>(0)

    @usableFromInline
    init() {}

    @usableFromInline
    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}
