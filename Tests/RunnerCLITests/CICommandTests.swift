import Foundation
import XCTest

/// `runner ci`: the files it writes pass each system's own validator (GitLab's and GitHub's
/// JSON Schemas, kubernetes-validate, Groovy's parser), the GitLab pipeline runs end to end
/// under gitlabci-local against moto with its verify job passing, and bad input is refused
/// with the reason.
final class CICommandTests: XCTestCase {
    private var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    private static let spec = """
        version: 1
        name: pipeline
        seed: 7
        data: {source: data/penguins.csv, target: species, drop: [year]}
        split: {test_size: 0.2, stratify: true}
        preprocess:
          - impute: {columns: numeric, strategy: mean}
          - impute: {columns: categorical, strategy: most_frequent}
          - one_hot: {columns: categorical, handle_unknown: ignore}
          - scale: {columns: numeric, method: standard}
        models:
          - {name: logreg, type: logistic_regression, params: {max_iter: 500}, grid: {C: [0.1, 1, 10]}}
        search: {cv: 3, stratified: true, shuffle: true, scoring: accuracy}
        tests:
          - metric: {accuracy: ">= 0.9"}
        """

    private func folder(spec: String = CICommandTests.spec) throws -> URL {
        let folder = try RunnerProcess.experimentFolder(spec: spec)
        folders.append(folder)
        return folder
    }

    /// A tool installed beside RUNNER_PYTHON (the CI venv) or on PATH.
    private func tool(_ name: String, required: Bool) throws -> String {
        var candidates: [String] = []
        if let python = ProcessInfo.processInfo.environment["RUNNER_PYTHON"] {
            candidates.append(URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent(name).path)
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(folder)/\(name)") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        let message = "\(name) is not installed (scripts/requirements-ci.txt, or .ci/run's Debian packages)"
        if required { throw HarnessFailure(message) }
        throw XCTSkip(message)
    }

    private func program(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> RunnerProcess.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = directory.appendingPathComponent(".program-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return RunnerProcess.Outcome(status: process.terminationStatus, stdout: try String(contentsOf: output, encoding: .utf8), stderr: "")
    }

    func testGeneratedFilesPassEachSystemsValidator() throws {
        let required = ProcessInfo.processInfo.environment["RUNNER_REQUIRE_PYTHON"] == "1"
        let python = try ReferencePython.interpreter(importing: ["jsonschema", "yaml"])
        let kubernetesValidate = try tool("kubernetes-validate", required: required)
        let groovy = try tool("groovy", required: ProcessInfo.processInfo.environment["RUNNER_REQUIRE_GROOVY"] == "1")
        let repository = RunnerProcess.repository
        let specs = ["experiments/penguins.yaml", "experiments/cars.yaml", "experiments/titanic.json"]
        let out = try folder()
        for shards in ["1", "3"] {
            for system in ["gitlab", "github", "jenkins", "kubernetes"] {
                let file = out.appendingPathComponent("\(system)-\(shards).out").path
                var arguments = ["ci", system] + specs + ["--shards", shards, "--out", file]
                if system == "kubernetes" { arguments += ["--image", "registry.example.com/team/runner-ci:1", "--remote", "s3://team-store/ci"] }
                let generated = try RunnerProcess.run(arguments, in: repository)
                XCTAssertEqual(generated.status, 0, generated.stderr)
                let check: RunnerProcess.Outcome
                switch system {
                case "gitlab", "github":
                    let schema = repository.appendingPathComponent("Tests/PipelinesTests/Fixtures/schemas/\(system == "gitlab" ? "gitlab-ci" : "github-workflow").json").path
                    check = try program([python, repository.appendingPathComponent("scripts/check_yaml_schema.py").path, schema, file], in: out)
                case "kubernetes":
                    check = try program([kubernetesValidate, "--strict", file], in: out)
                    XCTAssertEqual(check.stdout.components(separatedBy: "passed for resource job/").count - 1, shards == "3" ? 6 : 3, check.stdout)
                default:
                    check = try program([groovy, "-e", "new GroovyShell().parse(new File(args[0]))", file], in: out)
                }
                let written = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
                XCTAssertEqual(check.status, 0, "\(system) --shards \(shards): \(check.stdout)\n\(written)")
            }
        }
        // The parser really checks: a Jenkinsfile with a brace missing is refused.
        let broken = out.appendingPathComponent("broken.groovy")
        try String(try String(contentsOfFile: out.appendingPathComponent("jenkins-3.out").path, encoding: .utf8).dropLast(2)).write(to: broken, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try program([groovy, "-e", "new GroovyShell().parse(new File(args[0]))", broken.path], in: out).status, 0)
    }

    /// gitlabci-local runs the generated pipeline of the penguins example (its committed lock,
    /// model tests and container target) on this machine in stage order; the manual deploy job
    /// is left out. Each job's runner starts from an empty local store, as on its own CI
    /// machine, so what the shards computed reaches later jobs only through the S3 remote.
    func testGeneratedGitLabPipelineOfAnExampleRunsEndToEndAgainstMoto() throws {
        let gcil = try tool("gcil", required: ProcessInfo.processInfo.environment["RUNNER_REQUIRE_PYTHON"] == "1")
        _ = try tool("podman", required: ProcessInfo.processInfo.environment["RUNNER_REQUIRE_CONTAINER"] == "1")
        let moto = try MotoServer()
        XCTAssertEqual(try moto.aws(["s3", "mb", "s3://ci-store"]).status, 0)
        let project = try folder()
        let examples = RunnerProcess.repository.appendingPathComponent("experiments")
        try FileManager.default.createDirectory(at: project.appendingPathComponent("experiments/data"), withIntermediateDirectories: true)
        for file in ["penguins.yaml", "penguins.lock", "data/penguins.csv"] {
            try FileManager.default.copyItem(at: examples.appendingPathComponent(file), to: project.appendingPathComponent("experiments/\(file)"))
        }
        let lock = try Data(contentsOf: project.appendingPathComponent("experiments/penguins.lock"))

        let generated = try RunnerProcess.run(["ci", "gitlab", "experiments/penguins.yaml", "--shards", "2", "--remote", "s3://ci-store/pipeline"], in: project)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        try generated.stdout.write(to: project.appendingPathComponent(".gitlab-ci.yml"), atomically: true, encoding: .utf8)

        let stores = try folder()
        let wrapper = stores.appendingPathComponent("runner-job")
        try """
            #!/bin/sh
            RUNNER_STORE=$(mktemp -d '\(stores.path)/job.XXXXXX') exec '\(try RunnerProcess.executable().path)' "$@"

            """.write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        // Podman as this machine kind needs it (docs/deploy.md), for the image job.
        let containers = stores.appendingPathComponent("containers.conf")
        try "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\n".write(to: containers, atomically: true, encoding: .utf8)
        defer { _ = try? program(["podman", "rmi", "--force", "runner-penguins:ci"], in: stores) }

        var environment = moto.environment
        environment["RUNNER"] = wrapper.path
        environment["CONTAINERS_CONF"] = containers.path
        environment["BUILDAH_ISOLATION"] = "chroot"
        var arguments = [gcil, "-H", "-p"]
        for name in environment.keys.sorted() where name != "PATH" { arguments += ["-e", name] }
        let pipeline = try program(arguments, in: project, environment: environment)
        let log = pipeline.stdout
        XCTAssertEqual(pipeline.status, 0, log)
        for job in ["validate", "shard-penguins: [1/2]", "shard-penguins: [2/2]", "test-penguins", "package-penguins", "verify-penguins", "image-penguins"] {
            XCTAssertTrue(log.contains("✔ \(job): Success"), "\(job) in\n\(log)")
        }
        XCTAssertTrue(log.contains("verified: "), log)
        XCTAssertFalse(log.contains("deploy-penguins-local"), "the manual deploy job stays behind its gate: \(log)")

        // The two shards computed every fit between them; the package job found them in the remote.
        let shares = log.components(separatedBy: "\n").filter { $0.hasPrefix("shard ") && $0.contains(" fits (") }
        XCTAssertEqual(shares.count, 2, log)
        var computed = 0, total = 0
        for share in shares {
            let words = share.split(separator: " ")
            total = Int(words[4]) ?? 0
            computed += Int(share.components(separatedBy: " fits (").last?.split(separator: " ").first ?? "") ?? 0
        }
        XCTAssertEqual(computed, total, log)
        XCTAssertGreaterThan(total, 20, log)
        let summary = try XCTUnwrap(log.components(separatedBy: "\n").first { $0.hasPrefix("run ") && $0.contains(" cached) in ") }, log)
        let counts = summary.components(separatedBy: "(").last?.components(separatedBy: " ").compactMap { Int($0) } ?? []
        XCTAssertEqual(counts.count, 2, summary)
        // New to the package job: the stages runner test withholds (profile, package bundle,
        // package onnx, deploy local); every fit, the refit and the tests came from the remote.
        XCTAssertEqual(counts.first, 4, summary)

        XCTAssertTrue(FileManager.default.fileExists(atPath: project.appendingPathComponent("out/penguins/model.bundle").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: project.appendingPathComponent("out/penguins/deploy/local/Containerfile").path))
        let junit = try String(contentsOf: project.appendingPathComponent("reports/penguins-tests.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("<testsuites") && !junit.contains("<failure"), junit)
        XCTAssertEqual(try Data(contentsOf: project.appendingPathComponent("experiments/penguins.lock")), lock, "the pipeline reproduced the committed lock")
        let listing = try moto.aws(["s3", "ls", "--recursive", "s3://ci-store/pipeline/"])
        XCTAssertTrue(listing.output.contains("pipeline/stages/") && listing.output.contains("pipeline/objects/"), listing.output)
    }

    func testBadInputIsRefusedWithTheReason() throws {
        let project = try folder()
        let unknown = try RunnerProcess.run(["ci", "travis", "exp.yaml"], in: project)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("unknown CI system 'travis'; choose one of gitlab, github, jenkins, kubernetes"), unknown.stderr)

        try "version: 1\nname: bad\nmodles: []\n".write(to: project.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let invalid = try RunnerProcess.run(["ci", "gitlab", "exp.yaml", "bad.yaml", "--out", "pipeline.yml"], in: project)
        XCTAssertEqual(invalid.status, 2)
        XCTAssertTrue(invalid.stderr.contains("bad.yaml:3:1: error: unknown key 'modles' (did you mean 'models'?)"), invalid.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent("pipeline.yml").path), "nothing written")

        let outside = try RunnerProcess.run(["ci", "gitlab", project.appendingPathComponent("exp.yaml").path], in: project.appendingPathComponent("data"))
        XCTAssertEqual(outside.status, 1)
        XCTAssertTrue(outside.stderr.contains("is outside") && outside.stderr.contains("run runner ci from the repository's root"), outside.stderr)

        let kubernetes = try RunnerProcess.run(["ci", "kubernetes", "exp.yaml", "--shards", "2"], in: project)
        XCTAssertEqual(kubernetes.status, 1)
        XCTAssertTrue(kubernetes.stderr.contains("error: kubernetes: the jobs run in a container; give --image IMAGE"), kubernetes.stderr)
        let noRemote = try RunnerProcess.run(["ci", "kubernetes", "exp.yaml", "--image", "runner-ci:1"], in: project)
        XCTAssertEqual(noRemote.status, 1)
        XCTAssertTrue(noRemote.stderr.contains("give --remote s3://BUCKET/PREFIX (or remote: in the spec)"), noRemote.stderr)

        let shards = try RunnerProcess.run(["ci", "github", "exp.yaml", "--shards", "0"], in: project)
        XCTAssertEqual(shards.status, 1)
        XCTAssertTrue(shards.stderr.contains("--shards must be between 1 and 200"), shards.stderr)
        let remote = try RunnerProcess.run(["ci", "github", "exp.yaml", "--remote", "https://bucket"], in: project)
        XCTAssertEqual(remote.status, 64)
        XCTAssertTrue(remote.stderr.contains("--remote takes s3://BUCKET/PREFIX or file:///PATH, found 'https://bucket'"), remote.stderr)
    }
}
