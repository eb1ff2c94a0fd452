import Synchronization

/// What the executor reports while it works, for progress displays and logs.
public enum RunEvent: Sendable {
    /// The graph is about to run: this many stages.
    case started(total: Int)
    case stageStarted(name: String)
    /// A stage finished: computed, or found in the cache (`seconds` is then the original time).
    case stageFinished(name: String, cached: Bool, seconds: Double)
    /// Something the user should know that does not stop the run (a corrupted blob, recomputed).
    case warning(String)
}

/// Set from a signal handler or another thread; the executor starts no new stage once set.
public final class CancellationFlag: Sendable {
    private let state = Mutex(false)

    public init() {}

    public func cancel() { state.withLock { $0 = true } }
    public var isCancelled: Bool { state.withLock { $0 } }
}
