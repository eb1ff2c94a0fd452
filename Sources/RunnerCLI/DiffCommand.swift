import ArgumentParser
import Engine
import Foundation

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two runs or two lock files: spec parameters, data, winner, and every metric with its delta.",
        discussion: """
            Each side is a run id (or a unique prefix, see `runner runs`) or a lock file \
            (exp.lock). Spec parameters are compared when both specs can be found: the store \
            keeps each run's spec; a lock's spec is read beside it when its digest matches. \
            Exits 0 (whether or not anything changed), 1 when a side cannot be read.
            """
    )

    @Argument(help: "The first run id or lock file.")
    var first: String

    @Argument(help: "The second run id or lock file.")
    var second: String

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    func run() throws {
        let diff = RunDiff(try side(first), try side(second))
        print(json ? jsonText(diff) : diff.text)
    }

    private func side(_ argument: String) throws -> RunDiff.Side {
        if argument.hasSuffix(".lock") || FileManager.default.fileExists(atPath: argument) {
            do {
                guard let lock = try LockFile.readIfPresent(argument) else {
                    printError("error: \(argument) does not exist")
                    throw ExitCodes.failure
                }
                let path = store.resolved(spec: argument)
                let contentStore = FileManager.default.fileExists(atPath: path + "/format") ? try? ContentStore.open(path, restoringFolders: false) : nil
                return .lock(lock, path: argument, store: contentStore)
            } catch let error as EngineError {
                printError("error: \(error.description)")
                throw ExitCodes.failure
            }
        }
        let contentStore = try openStoreOrExit(store.resolved(spec: nil), restoringFolders: false)
        return .run(try recordedRunOrExit(argument, in: contentStore), label: argument, store: contentStore)
    }
}
