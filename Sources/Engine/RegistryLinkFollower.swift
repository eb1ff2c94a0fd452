import Foundation
import Synchronization

/// Keeps a store's `registry/NAME/STAGE.bundle` links pointing where a shared registry says,
/// for `runner serve registry://NAME@STAGE` when the registry is a PostgreSQL database another
/// machine may change: every `interval` seconds it refreshes each link, and the server, which
/// follows the links, reloads when one moves. While the registry cannot be reached the links
/// stay as they are (the server keeps serving) and `report` hears once per outage.
public final class RegistryLinkFollower: Sendable {
    private let registry: ModelRegistry
    private let links: [(name: String, stage: String)]
    private let interval: Double
    private let report: @Sendable (String) -> Void
    private let stopped = Mutex(false)

    public init(registry: ModelRegistry, links: [(name: String, stage: String)], interval: Double, report: @escaping @Sendable (String) -> Void) {
        self.registry = registry
        self.links = links
        self.interval = max(0.05, interval)
        self.report = report
    }

    /// Refreshes every link once; the failure, if any.
    public func refresh() -> String? {
        var failure: String?
        for link in links {
            do {
                try registry.refreshLink(name: link.name, stage: link.stage)
            } catch {
                failure = "cannot refresh \(link.name)@\(link.stage) from the registry at \(registry.location): \(error); serving the version loaded"
            }
        }
        return failure
    }

    /// Starts following on a thread of its own (the refresh blocks on the database).
    public func start() {
        let thread = Thread { [self] in
            var healthy = true
            while !stopped.withLock({ $0 }) {
                Thread.sleep(forTimeInterval: interval)
                if stopped.withLock({ $0 }) { break }
                let failed = refresh()
                if let failed, healthy { report(failed) }
                healthy = failed == nil
            }
        }
        thread.name = "runner registry follower"
        thread.start()
    }

    public func stop() { stopped.withLock { $0 = true } }
}
