import Foundation
import Synchronization
import Tabular
import XCTest

final class WorkerPoolTests: XCTestCase {
    func testEachResultLandsInItsSlotOverManyStepsInARow() {
        let pool = WorkerPool(threads: 3)
        defer { pool.close() }
        // Thousands of short steps back to back, as a boosting fit runs them.
        for step in 0..<5_000 {
            let count = 1 + step % 7
            XCTAssertEqual(pool.map(count: count) { $0 * $0 + step }, (0..<count).map { $0 * $0 + step })
        }
    }

    func testEveryThreadTakesPartAndEveryItemRunsOnce() {
        let pool = WorkerPool(threads: 2)
        defer { pool.close() }
        // A one-CPU machine gets a one-thread pool, which runs items in order: nothing to meet.
        guard pool.threads == 2 else { return XCTAssertEqual(pool.threads, ParallelWork.defaultThreadCount) }
        let runs = Atomic<Int>(0)
        // Items that wait for each other: both threads must be in the step at once.
        let arrived = Atomic<Int>(0)
        let results = pool.map(count: 2) { index -> Int in
            arrived.add(1, ordering: .relaxed)
            while arrived.load(ordering: .relaxed) < 2 { sched_yield() }
            runs.add(1, ordering: .relaxed)
            return index
        }
        XCTAssertEqual(results, [0, 1])
        XCTAssertEqual(runs.load(ordering: .relaxed), 2)
    }

    func testHelpersThatFellAsleepWakeForTheNextStep() {
        let pool = WorkerPool(threads: 2)
        defer { pool.close() }
        guard pool.threads == 2 else { return XCTAssertEqual(pool.threads, ParallelWork.defaultThreadCount) }
        for round in 0..<5 {
            // Longer than a helper spins: it sleeps, and the next step must wake it (the
            // items below need both threads at once, so a helper left asleep would hang).
            Thread.sleep(forTimeInterval: Double(WorkerPool.spinNanoseconds) * 5e-9)
            let arrived = Atomic<Int>(0)
            let results = pool.map(count: 2) { index -> Int in
                arrived.add(1, ordering: .relaxed)
                while arrived.load(ordering: .relaxed) < 2 { sched_yield() }
                return index + round
            }
            XCTAssertEqual(results, [round, round + 1])
        }
    }

    func testAStepStartedInsideAStepRunsOnTheCallingThread() {
        let pool = WorkerPool(threads: 2)
        defer { pool.close() }
        let results = pool.map(count: 4) { outer in pool.map(count: 3) { inner in outer * 10 + inner } }
        XCTAssertEqual(results, (0..<4).map { outer in (0..<3).map { outer * 10 + $0 } })
    }

    func testAPoolHasAtMostOneThreadPerCPU() {
        let pool = WorkerPool(threads: 1_000)
        defer { pool.close() }
        XCTAssertEqual(pool.threads, ParallelWork.defaultThreadCount)
        XCTAssertEqual(pool.map(count: 100) { $0 }, Array(0..<100))
    }

    func testAClosedOrOneThreadPoolRunsInOrder() {
        let single = WorkerPool(threads: 1)
        XCTAssertEqual(single.map(count: 5) { $0 + 1 }, [1, 2, 3, 4, 5])
        single.close()
        let closed = WorkerPool(threads: 4)
        closed.close()
        XCTAssertEqual(closed.map(count: 5) { $0 * 2 }, [0, 2, 4, 6, 8])
        XCTAssertEqual(closed.map(count: 0) { $0 }, [])
    }
}
