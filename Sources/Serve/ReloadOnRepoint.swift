import Foundation
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Reloads every model when one of the watched symbolic links points somewhere else: the
/// registry's `NAME/production.bundle` links move when a version is promoted or rolled back,
/// so `runner serve registry://NAME@production` follows them without a signal. A reload that
/// fails keeps the models in force (as SIGHUP does). Stops at graceful shutdown.
struct ReloadOnRepoint: Service {
    let server: ModelServer
    let links: [String]
    let interval: Double

    func run() async throws {
        var targets = links.map(Self.target)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelOnGracefulShutdown { try await Task.sleep(nanoseconds: UInt64(max(0.05, interval) * 1_000_000_000)) }
            } catch {
                return
            }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            let now = links.map(Self.target)
            if now != targets {
                targets = now
                let server = self.server
                try? await server.workers.runIfActive { server.reloadAll() }
            }
        }
    }

    /// Where a link points now (nil when it is gone).
    static func target(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length >= 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
