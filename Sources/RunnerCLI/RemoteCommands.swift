import ArgumentParser
import Engine
import Foundation
import RemoteStorage

/// Where the remote store is: `--remote URL`, else RUNNER_REMOTE; credentials and endpoint
/// only from the AWS environment variables and profile files.
struct RemoteOptions: ParsableArguments {
    @Option(name: .customLong("remote"), help: "A remote store shared between machines: s3://BUCKET/PREFIX (credentials from AWS_* variables or ~/.aws) or file:///PATH (default: $RUNNER_REMOTE).")
    var url: String?

    var resolved: String? { resolved(spec: nil) }

    /// `--remote`, else RUNNER_REMOTE, else the spec's `remote:`.
    func resolved(spec: String?) -> String? {
        if let url { return url }
        if let shared = ProcessInfo.processInfo.environment["RUNNER_REMOTE"], !shared.isEmpty { return shared }
        return spec
    }

    /// The remote a prepared run uses (`--remote`, RUNNER_REMOTE, then the spec's `remote:`).
    func open(for prepared: PreparedRun) throws -> RemoteSync? {
        try open(prepared.store, spec: prepared.check.experiment?.remote?.value)
    }

    /// The remote beside `store`, checked (reachable, credentials accepted, bucket there);
    /// nil when none is named. A failure is one line and exit 1; nothing local is touched.
    func open(_ store: ContentStore, spec: String? = nil) throws -> RemoteSync? {
        guard let url = resolved(spec: spec) else { return nil }
        do {
            let remote = try RemoteLocation.open(url)
            try remote.check()
            return RemoteSync(remote: remote, store: store)
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
    }
}

extension RemoteOptions {
    /// Runs a push or pull; a remote or store failure is one line and exit 1.
    static func transferring(_ body: () throws -> RemoteSync.Transfer) throws -> RemoteSync.Transfer {
        do {
            return try body()
        } catch let error as RemoteError {
            printError("error: \(error.description)")
        } catch let error as StoreError {
            printError("error: \(error.description)")
        }
        throw ExitCodes.failure
    }
}

struct Push: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send the store's blobs and stage records the remote store lacks (content-addressed: what is there is not sent again).",
        discussion: "Exits 0 when everything is on the remote, 1 when the remote cannot be reached or refuses (the local store is untouched)."
    )
    @OptionGroup var store: StoreOptions
    @OptionGroup var remote: RemoteOptions

    func validate() throws {
        if remote.resolved == nil { throw ValidationError("name the remote: --remote s3://BUCKET/PREFIX or file:///PATH (or RUNNER_REMOTE)") }
    }

    func run() throws {
        let contentStore = try openStoreOrExit(store.resolved(spec: nil))
        guard let sync = try remote.open(contentStore) else { return }
        let sent = try RemoteOptions.transferring { try sync.push() }
        print("pushed \(sent.blobs) blob\(sent.blobs == 1 ? "" : "s") and \(sent.records) stage record\(sent.records == 1 ? "" : "s") (\(Self.size(sent.bytes))) to \(sync.remote.location); \(sent.skipped) already there")
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : String(format: "%.1f KB", Double(bytes) / 1024)
    }
}

struct Pull: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch the remote store's blobs and stage records the local store lacks, each checked against its digest or checksum.",
        discussion: "Exits 0 when done (refused objects are named and skipped), 1 when the remote cannot be reached or refuses."
    )
    @OptionGroup var store: StoreOptions
    @OptionGroup var remote: RemoteOptions

    func validate() throws {
        if remote.resolved == nil { throw ValidationError("name the remote: --remote s3://BUCKET/PREFIX or file:///PATH (or RUNNER_REMOTE)") }
    }

    func run() throws {
        let path = store.resolved(spec: nil)
        let contentStore: ContentStore
        do {
            contentStore = try ContentStore.open(path)
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        guard let sync = try remote.open(contentStore) else { return }
        let fetched = try RemoteOptions.transferring { try sync.pull { printError("warning: \($0)") } }
        print("pulled \(fetched.blobs) blob\(fetched.blobs == 1 ? "" : "s") and \(fetched.records) stage record\(fetched.records == 1 ? "" : "s") (\(Push.size(fetched.bytes))) from \(sync.remote.location)\(fetched.refused > 0 ? "; \(fetched.refused) refused" : "")")
    }
}
