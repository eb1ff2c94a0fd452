import ArgumentParser
import Deploy
import Engine
import Foundation
import Packaging
import Serve

struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Stand a spec's packaged model up on one of its deploy targets (container, kubernetes, aws_ec2, azure_vm, gcp_compute).",
        discussion: """
            Runs the experiment (cached stages are reused), writes the target's files to \
            OUT/deploy/TARGET/ (Containerfile, Dockerfile, manifests or cloud-init, deploy.sh, \
            destroy.sh) and prints the commands --apply would run. --apply runs them with the real \
            CLI (podman or docker, kubectl, aws, az, gcloud), printing each command first and \
            stopping at the first failure; what it creates is recorded in the run index. --destroy \
            removes it. A model that fails the spec's tests is not deployed \
            (--allow-failed-tests deploys it anyway). Secrets are never written: the server reads them where the spec names them. \
            Exit codes: 0 done; 1 a command failed or a CLI is missing (nothing is created when a \
            CLI is missing); 2 the spec is invalid. Details: docs/deploy.md.
            """
    )

    @Argument(help: "The experiment spec (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var spec: String

    @Option(help: "The deploy target's name (the spec's deploy: list).")
    var target: String

    @Flag(name: .customLong("dry-run"), help: "Write the files and print the commands without running them (the default).")
    var dryRun = false

    @Flag(help: "Run the commands.")
    var apply = false

    @Flag(help: "Remove what --apply created.")
    var destroy = false

    @Option(name: .customLong("out"), help: "Folder for results.json, the bundle and deploy/ (default: out/<name>/ beside the spec).")
    var output: String?

    @OptionGroup var store: StoreOptions
    @OptionGroup var remote: RemoteOptions

    @Flag(help: "No progress output; warnings and errors only.")
    var quiet = false

    @Flag(name: .customLong("allow-failed-tests"), help: "Deploy the model even when it fails the spec's tests.")
    var allowFailedTests = false

    func validate() throws {
        if [dryRun, apply, destroy].filter({ $0 }).count > 1 { throw ValidationError("choose one of --dry-run, --apply and --destroy") }
    }

    func run() throws {
        let prepared = try prepareOrExit(spec: spec, store: store.resolved(spec: spec))
        let known = prepared.graph.stages.filter { $0.kind == .deploy }.map { String($0.name.dropFirst("deploy ".count)) }
        guard known.contains(target) else {
            printError("error: \(DeployError.unknownTarget(target, known: known).message)")
            throw ExitCodes.failure
        }
        let display = ProgressDisplay(style: .choose(quiet: quiet, logFormat: "text"))
        // Removing a deployment never waits on the model's tests.
        let gated = !destroy && !allowFailedTests
        let sync = try remote.open(for: prepared)
        let options = ExecutionOptions(jobs: ProcessInfo.processInfo.activeProcessorCount, requirePassingTests: gated, remote: sync)
        let (results, execution) = try executeOrExit(prepared, options: options, display: display)
        let folder = output ?? Session.defaultOutput(specPath: spec, experiment: results.experiment)
        let blocked = gated && results.testsPassed == false
        let plans: [String: DeploymentPlan]
        do {
            _ = try Session.exportPackages(prepared, execution, outputFolder: folder)
            _ = try Session.record(prepared, results, execution, outputFolder: folder, writeLock: !blocked)
            plans = try Session.exportDeployments(prepared, execution, outputFolder: folder)
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        if blocked {
            if let tests = results.testsText { print(tests) }
            let failed = results.tests?.filter { $0.passed == false }.count ?? 0
            printError("error: \(failed) model test\(failed == 1 ? "" : "s") failed: not deploying to '\(target)' (--allow-failed-tests deploys anyway); nothing was created")
            throw ExitCodes.failure
        }
        guard let plan = plans[target] else {
            printError("error: internal error: the run produced no plan for target '\(target)'")
            throw ExitCodes.failure
        }
        let deployFolder = absolute(Session.deploymentFolder(outputFolder: folder, target: target))
        // A target naming a registered model serves that version's bundle from the store.
        let registered = prepared.check.experiment?.deploy.first { $0.name.value == target }?.model.flatMap { prepared.graph.registryBundles[$0.value] }
        let bundle = registered.map { absolute(prepared.store.blobPath($0)) } ?? absolute("\(folder)/model.bundle")
        let environment = ProcessInfo.processInfo.environment
        let executor = DeploymentExecutor(runner: ProgramRunner(environment: environment)) { line in printError(line) }
        let engine = executor.engine(plan.containerEngineChoice)
        var variables = DeploymentApply.variables(deployFolder: deployFolder, bundle: bundle, runnerBinary: Self.runningBinary(),
                                                  imageBinary: environment["RUNNER_IMAGE_BINARY"], engine: engine ?? "podman")
        let steps = destroy ? plan.destroy : plan.apply
        // Secret files a container target mounts are named by environment variables.
        for name in DeploymentApply.unsetVariables(steps, variables) {
            if let value = environment[name] { variables[name] = value }
        }

        guard apply || destroy else {
            print("wrote \(plan.files.count) files to \(deployFolder)/: \(plan.files.map(\.path).joined(separator: ", "))")
            print("`runner deploy \(spec) --target \(target) --apply` would run (as deploy.sh does):")
            for (index, step) in plan.apply.enumerated() {
                let condition = step.when.map { " (when \($0) is set)" } ?? step.unless.map { " (unless \($0) is set)" } ?? ""
                print("  \(index + 1). \(step.summary)\(condition)")
                print("     " + step.arguments.map { word in (try? variables.expand(word)).map { ShellScript.commandLine([$0]) } ?? ShellScript.quote(word) }.joined(separator: " "))
            }
            return
        }
        let index: RunIndex
        do { index = try RunIndex(store: prepared.store) } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        let bundleDigest = (try? Hashing.sha256(file: bundle))?.digest ?? ""
        let session = DeploymentApply(plan: plan, experiment: results.experiment, bundleDigest: bundleDigest, executor: executor, index: index)
        do {
            try executor.checkTools(plan.tools, engine: engine)
            let missing = DeploymentApply.unsetVariables(steps, variables)
            guard missing.isEmpty else {
                throw DeployError.file("set \(missing.joined(separator: ", ")) in the environment (the spec's secrets name \(missing.count == 1 ? "it" : "them")); nothing was created")
            }
            if destroy {
                try session.destroy(variables: variables)
                print("destroyed deploy target '\(target)'")
            } else {
                let created = try session.apply(variables: variables)
                print("deployed target '\(target)' (\(plan.kind))")
                for (name, value) in created.sorted(by: { $0.key < $1.key }) { print("  \(name)=\(value)") }
            }
        } catch let error as DeployError {
            printError("error: \(error.message)")
            throw ExitCodes.failure
        }
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// This runner's own executable, which assembles the image's files.
    static func runningBinary() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        let first = CommandLine.arguments.first ?? "runner"
        return first.hasPrefix("/") ? first : FileManager.default.currentDirectoryPath + "/" + first
    }
}

struct ImageContextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-context",
        abstract: "Gather an offline container image's files: a runner binary, the libraries it loads, CA certificates, an unprivileged user and a bundle.",
        discussion: """
            Writes OUTPUT/rootfs/ for a deploy target's Containerfile (FROM scratch). The binary \
            is stripped when `strip` is installed. OUTPUT must be new, empty or made by this command. \
            Exit codes: 0 written; 1 a file could not be read or written.
            """
    )

    @Option(help: "The bundle the image serves.") var bundle: String
    @Option(help: "The folder to write.") var output: String
    @Option(help: "The runner binary to put in the image (default: this one).") var binary: String?

    func run() throws {
        let context = ImageContext(binary: binary ?? DeployCommand.runningBinary(), bundle: bundle, output: output)
        do {
            let files = try context.assemble()
            let total = files.reduce(0) { $0 + $1.bytes }
            print("wrote \(output)/rootfs: \(files.count) files, \(String(format: "%.1f", Double(total) / 1_048_576)) MiB")
        } catch {
            printError("error: \(error.message)")
            throw ExitCodes.failure
        }
    }
}

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "GET a URL and exit 0 when it answers 2xx: the container image's health check.",
        discussion: "Exit codes: 0 a 2xx answer; 1 another answer, no connection or no answer in --timeout seconds."
    )

    @Argument(help: "http://HOST:PORT/PATH or https://... (the certificate is not checked: the probe talks to its own server).") var url: String
    @Option(help: "Seconds to wait for an answer.") var timeout: Int = 3
    @Option(help: "Keep asking (twice a second) for up to this many seconds until a 2xx answer: a server that is still starting.") var wait: Int = 0

    func validate() throws {
        if timeout < 1 { throw ValidationError("--timeout must be at least 1") }
        if wait < 0 { throw ValidationError("--wait must be 0 or more") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(wait)
        while true {
            do {
                let code = try await HealthProbe.check(url, timeoutSeconds: Int64(timeout))
                print("\(url): \(code)")
                return
            } catch {
                if case .badURL = error { printError("error: \(error.message)"); throw ExitCodes.failure }
                guard clock.now < deadline else {
                    printError("error: \(url): \(error.message)")
                    throw ExitCodes.failure
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}
