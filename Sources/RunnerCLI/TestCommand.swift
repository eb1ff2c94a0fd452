import ArgumentParser
import Engine
import Foundation
import Report

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run an experiment's model tests (the spec's tests:), from the cache when nothing changed.",
        discussion: """
            Runs the experiment up to its tests (cached stages are not recomputed; nothing is \
            packaged) and prints one line per test, saying for each failure what was measured \
            and what was required. --junit writes JUnit XML for CI test reports. \
            Exits 0 when every test passes, 1 when any fails (or a stage fails), 2 when the spec \
            is invalid.
            """
    )

    @Argument(help: "The experiment spec (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var spec: String

    @OptionGroup var store: StoreOptions
    @OptionGroup var remote: RemoteOptions

    @Option(name: .customLong("junit"), help: "Write the results as JUnit XML to this file.")
    var junit: String?

    @Option(name: .shortAndLong, help: "Stages to run at once (default: the number of cores). Results do not depend on it.")
    var jobs: Int?

    @Flag(help: "Print the test results as JSON.")
    var json = false

    @Flag(help: "No progress output; warnings and errors only.")
    var quiet = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let prepared = try prepareOrExit(spec: spec, store: store.resolved(spec: spec))
        if prepared.graph.tests.isEmpty { printError("warning: \(spec) has no tests: section; nothing to check (docs/spec.md, 'tests')") }
        let display = ProgressDisplay(style: .choose(quiet: quiet, logFormat: "text"))
        let sync = try remote.open(for: prepared)
        let options = ExecutionOptions(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, requirePassingTests: false, withheldKinds: [.profile, .package, .deploy], remote: sync)
        let (results, _) = try executeOrExit(prepared, options: options, display: display)
        try writeJUnit(results, to: junit)
        if json {
            print(jsonText(results.tests ?? []))
        } else if let text = results.testsText {
            print(text)
        }
        if results.testsPassed == false { throw ExitCodes.failure }
    }
}

/// Writes the model tests as JUnit XML when a path was given.
func writeJUnit(_ results: RunResults, to path: String?) throws {
    guard let path else { return }
    do {
        try writeOutput(Data(JUnitReport.xml(results).utf8), to: path)
    } catch {
        printError("error: cannot write \(path): \(error)")
        throw ExitCodes.failure
    }
}
