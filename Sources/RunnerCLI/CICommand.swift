import ArgumentParser
import Foundation
import Pipelines
import Spec

struct CICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Write a CI/CD pipeline for experiments: GitLab CI, GitHub Actions, Jenkins, or Kubernetes Jobs.",
        discussion: """
            The pipeline validates the specs; runs each experiment (with --shards N, N jobs each \
            compute a share of the cross-validation fits into the remote store, then one gathers); \
            runs the model tests (JUnit report); packages (results.json, the bundle, ONNX as \
            artifacts); recomputes without a cache and compares with the lock (runner verify); \
            builds the image; and deploys to each of the spec's targets behind a manual gate per \
            environment. Jobs share stages through the remote store (--remote, else the spec's \
            remote:, else the CI variable RUNNER_REMOTE). Secrets are named as CI variables, \
            never written. Run it from the repository's root: paths in the pipeline are relative \
            to it. Each spec is read as runner validate --skip-data reads it. \
            Exit codes: 0 written; 1 the pipeline cannot be made (the reason is printed) or not \
            written; 2 a spec is invalid. Details: docs/ci.md.
            """
    )

    @Argument(help: "gitlab, github, jenkins or kubernetes.")
    var system: String

    @Argument(help: "The experiment specs (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var specs: [String]

    @Option(help: "Shard jobs per experiment (1-200; 1: no shard jobs).")
    var shards = 1

    @Option(help: "The remote store the jobs share, written into the pipeline (default: the specs' remote:, else the CI variable RUNNER_REMOTE).")
    var remote: String?

    @Option(help: "The container image the jobs run in, holding runner (required for kubernetes; default: the CI machine's own environment).")
    var image: String?

    @Option(help: "How jobs call runner (a command on PATH or a path; the RUNNER variable overrides it).")
    var runner = "runner"

    @Option(help: "The branch deploy jobs may run from.")
    var branch = "main"

    @Option(name: .customLong("runs-on"), help: "GitHub Actions: the runner label.")
    var runsOn = "ubuntu-latest"

    @Option(help: "Kubernetes: the namespace of the Jobs.")
    var namespace = "default"

    @Option(help: "Kubernetes: the project's folder inside the image.")
    var workdir = "/workspace"

    @Option(name: .customLong("out"), help: "The file to write (default: standard output).")
    var output: String?

    func validate() throws {
        guard CISystem(rawValue: system) != nil else {
            throw ValidationError("unknown CI system '\(system)'; choose one of \(CISystem.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if specs.isEmpty { throw ValidationError("name at least one spec") }
        if let remote, !(remote.hasPrefix("s3://") || remote.hasPrefix("file:///")) {
            throw ValidationError("--remote takes s3://BUCKET/PREFIX or file:///PATH, found '\(remote)'")
        }
    }

    func run() throws {
        var loaded: [LoadedSpec] = []
        var invalid = false
        for path in specs {
            let check = SpecLoader.load(path: path, checkData: false)
            for diagnostic in check.diagnostics { printError(diagnostic.description) }
            guard check.isValid, let experiment = check.experiment, let bytes = FileManager.default.contents(atPath: path) else {
                printError("\(path): \(check.errors.count) error\(check.errors.count == 1 ? "" : "s")")
                invalid = true
                continue
            }
            loaded.append(LoadedSpec(path: path, experiment: experiment, text: String(decoding: bytes, as: UTF8.self)))
        }
        if invalid { throw ExitCodes.invalidSpec }
        var options = PipelineOptions(system: CISystem(rawValue: system)!, commandLine: (["runner"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
        options.shards = shards
        options.remote = remote
        options.image = image
        options.runner = runner
        options.branch = branch
        options.runsOn = runsOn
        options.namespace = namespace
        options.workingDirectory = workdir
        let text: String
        do {
            text = Pipeline.render(try PipelinePlan.make(specs: loaded, root: FileManager.default.currentDirectoryPath, options: options))
        } catch {
            printError("error: \(error.message)")
            throw ExitCodes.failure
        }
        guard let output else {
            print(text, terminator: "")
            return
        }
        do {
            try writeOutput(Data(text.utf8), to: output)
        } catch {
            printError("error: cannot write \(output): \(error)")
            throw ExitCodes.failure
        }
        printError("wrote \(output) (\(system), \(loaded.count) experiment\(loaded.count == 1 ? "" : "s")\(shards > 1 ? ", \(shards) shards each" : ""))")
    }
}
