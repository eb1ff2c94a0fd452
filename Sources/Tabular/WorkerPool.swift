import Foundation
import Synchronization

/// Threads kept for the length of one model fit, for its many short parallel steps (a
/// boosting fit runs thousands of them, each tens of microseconds). Between steps the helpers
/// spin for a moment before they sleep: on a virtual machine, a CPU whose threads all sleep
/// is handed back to the host and can take longer to get back than such a step lasts, so
/// waking sleeping threads for every step made two threads slower than one (OpenMP, which
/// LightGBM uses, spins between steps for the same reason).
///
/// As with `ParallelWork`, each item's result lands in its own slot, so nothing depends on
/// which thread ran it. One step at a time: a step started while another runs (from inside
/// an item, or from another thread) runs its items in order on the calling thread.
/// The owner calls `close()` when the fit is done (the helpers hold the pool until then).
public final class WorkerPool: @unchecked Sendable {
    public let threads: Int
    /// Bumped (releasing) once a step is published; helpers wait for it to change.
    private let generation = Atomic<Int>(0)
    private let nextItem = Atomic<Int>(0)
    /// Helpers not yet done with the current step.
    private let running = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let wakeUp = NSCondition()
    // Written by the caller before it bumps `generation`, read by helpers after they see the
    // bump, cleared once every helper is done: the atomics order every access.
    private var step: ((Int) -> Void)?
    private var itemCount = 0

    /// How long an idle helper spins before it sleeps: longer than the serial gaps between a
    /// fit's steps, short enough that an idle pool costs nothing noticeable.
    public static let spinNanoseconds: UInt64 = 200_000

    /// `threads - 1` helper threads; the thread that starts a step is the other worker. At
    /// most one thread per CPU: a spinning helper beyond that would take a CPU from a working
    /// one (results do not depend on the count).
    public init(threads: Int) {
        self.threads = max(1, min(threads, ParallelWork.defaultThreadCount))
        for _ in 1..<self.threads {
            let thread = Thread { [self] in self.helperLoop() }
            thread.name = "runner-pool"
            thread.start()
        }
    }

    /// Lets the helpers end (they hold the pool until then). Steps after it run on the
    /// calling thread.
    public func close() {
        stopped.store(true, ordering: .releasing)
        wakeUp.lock()
        wakeUp.broadcast()
        wakeUp.unlock()
    }

    /// `[body(0), body(1), ...]`, the items spread over the pool's threads.
    public func map<Result: Sendable>(count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
        guard count > 1, threads > 1, !stopped.load(ordering: .acquiring),
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return (0..<count).map { body($0) }
        }
        defer { busy.store(false, ordering: .releasing) }
        let slots = ResultSlots<Result>(count: count)
        withoutActuallyEscaping(body) { body in
            step = { index in slots.store(body(index), at: index) }
            itemCount = count
            nextItem.store(0, ordering: .relaxed)
            running.store(threads - 1, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            wakeUp.lock()
            wakeUp.broadcast()
            wakeUp.unlock()
            runItems()
            // The helpers finish their last items; after a while, yield rather than spin
            // against a helper that waits for this CPU.
            var spins = 0
            while running.load(ordering: .acquiring) > 0 {
                spins &+= 1
                if spins > 2_000 { sched_yield() }
            }
            step = nil
        }
        return slots.collect()
    }

    public func forEach(count: Int, _ body: @Sendable (Int) -> Void) {
        _ = map(count: count) { body($0) }
    }

    private func runItems() {
        guard let step else { return }
        let count = itemCount
        while true {
            let index = nextItem.add(1, ordering: .relaxed).oldValue
            if index >= count { break }
            step(index)
        }
    }

    private func helperLoop() {
        var seen = 0
        while true {
            var spins = 0
            var deadline: UInt64 = 0
            while generation.load(ordering: .acquiring) == seen {
                if stopped.load(ordering: .acquiring) { return }
                spins &+= 1
                guard spins & 255 == 0 else { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                if deadline == 0 {
                    deadline = now + Self.spinNanoseconds
                } else if now > deadline {
                    // Checked under the lock the publisher broadcasts under: no wake-up is missed.
                    wakeUp.lock()
                    while generation.load(ordering: .acquiring) == seen && !stopped.load(ordering: .acquiring) { wakeUp.wait() }
                    wakeUp.unlock()
                }
            }
            if stopped.load(ordering: .acquiring) { return }
            seen = generation.load(ordering: .acquiring)
            runItems()
            running.subtract(1, ordering: .releasing)
        }
    }
}
