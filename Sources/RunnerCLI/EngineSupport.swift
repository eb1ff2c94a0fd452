import ArgumentParser
import Dispatch
import Engine
import Foundation
import Learn
import Spec
import Tabular
#if canImport(Glibc)
import Glibc
#endif

extension ExitCodes {
    static let interrupted = ExitCode(130)
}

struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: "The content-addressed store (default: $RUNNER_STORE, else .runner beside the spec).")
    var path: String?

    func resolved(spec: String?) -> String { Session.storePath(explicit: path, specPath: spec) }
}

/// Checks and plans a spec, printing diagnostics the way `runner validate` does.
func prepareOrExit(spec: String, store: String) throws -> PreparedRun {
    do {
        return try Session.prepare(specPath: spec, storePath: store)
    } catch .invalid(let diagnostics) {
        for diagnostic in diagnostics { printError(diagnostic.description) }
        let count = diagnostics.filter { $0.severity == .error }.count
        printError("\(spec): \(count) error\(count == 1 ? "" : "s")")
        throw ExitCodes.invalidSpec
    } catch .failed(let message) {
        printError("error: \(message)")
        throw ExitCodes.failure
    }
}

func openStoreOrExit(_ path: String, restoringFolders: Bool = true) throws -> ContentStore {
    guard FileManager.default.fileExists(atPath: path + "/format") else {
        printError("error: no runner store at \(path) (run an experiment first, or pass --store)")
        throw ExitCodes.failure
    }
    do {
        return try ContentStore.open(path, restoringFolders: restoringFolders)
    } catch {
        printError("error: \(error.description)")
        throw ExitCodes.failure
    }
}

/// Runs a prepared spec with Ctrl-C handling (see `interruptibly`).
func executeOrExit(_ prepared: PreparedRun, options: ExecutionOptions, display: ProgressDisplay) throws -> (RunResults, Execution) {
    try interruptibly(display: display) { cancellation, events throws(ExecutionFailure) in
        try Session.execute(prepared, options: options, cancellation: cancellation, report: events)
    }
}

/// Runs an engine operation with Ctrl-C handling: the first interrupt lets running stages
/// finish (and be cached), the second exits at once (the store stays valid either way).
/// Failures are printed and become the documented exit codes.
func interruptibly<T>(display: ProgressDisplay, _ operation: (CancellationFlag, @escaping @Sendable (RunEvent) -> Void) throws(ExecutionFailure) -> T) throws -> T {
    let cancellation = CancellationFlag()
    signal(SIGINT, SIG_IGN)
    // Blocked here, before the executor starts its threads, so every worker inherits the
    // mask: the dispatch source reads SIGINT from a signalfd on Linux, which sees only
    // signals no thread takes itself (libdispatch otherwise re-raises them one by one).
    var interrupt = sigset_t()
    sigemptyset(&interrupt)
    sigaddset(&interrupt, SIGINT)
    pthread_sigmask(SIG_BLOCK, &interrupt, nil)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler {
        if cancellation.isCancelled { exit(130) }
        cancellation.cancel()
        printError("\ninterrupted: finishing the running stages (Ctrl-C again to stop now; the store stays valid)")
    }
    source.resume()
    defer {
        source.cancel()
        signal(SIGINT, SIG_DFL)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
    }
    do {
        let outcome = try operation(cancellation, display.handle)
        display.finish()
        return outcome
    } catch {
        display.finish()
        switch error {
        case .failed(let failure, let finished):
            printError("error: \(failure.description)")
            printError("\(finished) finished stage\(finished == 1 ? "" : "s") kept in the store; rerun to continue")
            throw ExitCodes.failure
        case .cancelled(let finished):
            printError("interrupted: \(finished) finished stage\(finished == 1 ? "" : "s") kept in the store; rerun to continue")
            throw ExitCodes.interrupted
        case .store(let failure):
            printError("error: \(failure.description)")
            throw ExitCodes.failure
        }
    }
}

func describe(_ params: [String: String]) -> String {
    params.isEmpty ? "" : " {" + Wording.keyValues(params) + "}"
}


/// Pretty JSON of an engine value for `--json` output.
func jsonText<T: Encodable>(_ value: T) -> String {
    String(decoding: JSONFormat.encode(value, pretty: true), as: UTF8.self)
}
