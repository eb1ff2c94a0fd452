import Foundation
import XCTest

/// `runner deploy` end to end: the files and commands of a dry run, a container built and run
/// with podman and answering as `runner predict` does, an EC2 deployment against moto_server
/// (the AWS stand-in) checked with the real `aws` CLI, and the refusals.
///
/// Podman runs here with runc and chroot isolation (this machine kind's containers); those
/// are machine settings, so the test gives them as podman's own configuration
/// (CONTAINERS_CONF, BUILDAH_ISOLATION), not as flags of the generated commands. CI sets
/// RUNNER_REQUIRE_CONTAINER=1 (podman must be there) and RUNNER_IMAGE_BINARY (a static release
/// build, whose image must stay under 100 MB).
final class DeployCommandTests: XCTestCase {
    private var folder: URL!
    private var port = 0

    override func setUpWithError() throws {
        port = try Self.freePort()
        folder = try RunnerProcess.experimentFolder(spec: """
            version: 1
            name: penguins
            seed: 3
            data: {source: data/penguins.csv, target: species, drop: [year]}
            preprocess:
              - impute: {columns: numeric, strategy: mean}
              - impute: {columns: categorical, strategy: most_frequent}
              - one_hot: {columns: categorical, handle_unknown: ignore}
            models:
              - {name: logreg, type: logistic_regression, params: {max_iter: 500}}
            deploy:
              - {name: local, type: container, port: \(port)}
              - name: prod-aws
                type: aws_ec2
                region: eu-west-1
                instance_type: t3.micro
                artifacts: s3://runner-test/models
                allow_cidr: 203.0.113.0/24
                secrets: {api_keys: {aws_ssm: /runner/api-keys}}

            """)
    }

    override func tearDownWithError() throws {
        if let podman = Self.locate("podman") {
            _ = try? Self.run([podman, "rm", "--force", "--ignore", "runner-local"], environment: containerEnvironment())
        }
        try? FileManager.default.removeItem(at: folder)
    }

    private func runner(_ arguments: [String], environment: [String: String] = [:]) throws -> RunnerProcess.Outcome {
        try RunnerProcess.run(arguments, in: folder, environment: environment)
    }

    func testDryRunWritesTheFilesAndPrintsTheCommands() throws {
        let dry = try runner(["deploy", "exp.yaml", "--target", "prod-aws", "--quiet"])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("wrote 12 files to"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("aws ec2 run-instances --image-id resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 --instance-type t3.micro"), dry.stdout)
        let deployFolder = folder.appendingPathComponent("out/penguins/deploy/prod-aws")
        for file in ["Containerfile", "Dockerfile", "Dockerfile.dockerignore", "cloud-init.yaml", "deploy.sh", "destroy.sh", "instance-policy.json", "trust-policy.json",
                     "monitoring/amazon-cloudwatch-agent.json", "monitoring/cloudwatch-alarms.sh", "monitoring/runner-alerts.rules.yml"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: deployFolder.appendingPathComponent(file).path), file)
        }
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: deployFolder.appendingPathComponent("deploy.sh").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: deployFolder.appendingPathComponent("context").path), "a dry run builds nothing")
        // The deploy stages are stages like any other: the lock names them and a rerun is cached.
        let lock = try String(contentsOf: folder.appendingPathComponent("exp.lock"), encoding: .utf8)
        XCTAssertTrue(lock.contains("deploy prod-aws"), lock)
        let again = try runner(["deploy", "exp.yaml", "--target", "prod-aws", "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let status = try runner(["status", "exp.yaml"])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertFalse(status.stdout.contains("deploy local") && status.stdout.contains("stale"), status.stdout)

        let unknown = try runner(["deploy", "exp.yaml", "--target", "prod", "--quiet"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "error: the spec has no deploy target 'prod'; its targets are local, prod-aws\n")
        let both = try runner(["deploy", "exp.yaml", "--target", "local", "--apply", "--destroy"])
        XCTAssertEqual(both.status, 64)
    }

    func testAMissingCLIIsNamedAndNothingIsCreated() throws {
        // /usr/bin and /bin hold podman but no aws.
        let outcome = try runner(["deploy", "exp.yaml", "--target", "prod-aws", "--apply", "--quiet"], environment: ["PATH": "/usr/bin:/bin"])
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("error: 'aws' is not installed (or not on PATH): install the AWS CLI"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("nothing was created"), outcome.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/penguins/deploy/prod-aws/context").path))
    }

    func testContainerServesWhatRunnerPredictAnswers() throws {
        let podman = try Self.requireContainerEngine()
        let environment = try containerEnvironment()
        let applied = try runner(["deploy", "exp.yaml", "--target", "local", "--apply", "--quiet"], environment: environment)
        XCTAssertEqual(applied.status, 0, applied.stderr)
        let containerID = try XCTUnwrap(applied.stdout.split(separator: "\n").first { $0.contains("CONTAINER_ID=") }?.split(separator: "=").last.map(String.init), applied.stdout)

        // The image: its size, its user, its health check.
        let image = try Self.run([podman, "container", "inspect", "--format", "{{.Image}}", containerID], environment: environment).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let size = Int(try Self.run([podman, "image", "inspect", "--format", "{{.Size}}", image], environment: environment).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        if ProcessInfo.processInfo.environment["RUNNER_IMAGE_BINARY"] != nil {
            XCTAssertLessThan(size, 100_000_000, "image of \(size) bytes")
        }
        let user = try Self.run([podman, "image", "inspect", "--format", "{{.Config.User}}", image], environment: environment).output
        XCTAssertEqual(user.trimmingCharacters(in: .whitespacesAndNewlines), "65532:65532")
        let health = try Self.run([podman, "healthcheck", "run", containerID], environment: environment)
        XCTAssertEqual(health.status, 0, "HEALTHCHECK runs `runner probe` inside the image: \(health.output)")

        // Predictions through the container equal runner predict's, byte for byte.
        let lines = try String(contentsOf: folder.appendingPathComponent("data/penguins.csv"), encoding: .utf8).split(separator: "\n")
        let rows = folder.appendingPathComponent("rows.csv")
        try ([String(lines[0])] + lines.suffix(40).map(String.init)).joined(separator: "\n").appending("\n").write(to: rows, atomically: true, encoding: .utf8)
        let expected = try runner(["predict", "out/penguins/model.bundle", "rows.csv", "--proba"])
        XCTAssertEqual(expected.status, 0, expected.stderr)
        let python = try ReferencePython.interpreter(importing: ["urllib.request"])
        let script = RunnerProcess.repository.appendingPathComponent("Tests/Fixtures/deploy/predict_csv.py").path
        let served = try Self.run([python, script, "http://127.0.0.1:\(port)/v1/models/penguins/predict?proba=true", rows.path], environment: [:])
        XCTAssertEqual(served.status, 0, served.output)
        XCTAssertEqual(served.output, expected.stdout)

        // Deploying again replaces the container; the run index records the new one.
        let again = try runner(["deploy", "exp.yaml", "--target", "local", "--apply", "--quiet"], environment: environment)
        XCTAssertEqual(again.status, 0, again.stderr)
        let replacement = try XCTUnwrap(again.stdout.split(separator: "\n").first { $0.contains("CONTAINER_ID=") }?.split(separator: "=").last.map(String.init))
        XCTAssertNotEqual(replacement, containerID)
        let listed = try runner(["deployments", "--json"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let records = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records.first?["target"] as? String, "local")
        XCTAssertEqual(records.first?["state"] as? String, "applied")
        XCTAssertEqual((records.first?["resources"] as? [String: String])?["CONTAINER_ID"], replacement)

        // Someone removes the container by hand: destroy does not trust the stale record, it
        // finds nothing under the name, removes the image and forgets the deployment.
        XCTAssertEqual(try Self.run([podman, "rm", "--force", "runner-local"], environment: environment).status, 0)
        let destroyed = try runner(["deploy", "exp.yaml", "--target", "local", "--destroy", "--quiet"], environment: environment)
        XCTAssertEqual(destroyed.status, 0, destroyed.stderr)
        XCTAssertEqual(try Self.run([podman, "ps", "--all", "--quiet", "--filter", "name=^runner-local$"], environment: environment).output, "")
        XCTAssertNotEqual(try Self.run([podman, "image", "exists", image], environment: environment).status, 0)
        let remaining = try JSONSerialization.jsonObject(with: Data(try runner(["deployments", "--json"]).stdout.utf8)) as? [Any]
        XCTAssertEqual(remaining?.count, 0, "destroy forgets the deployment")
        let twice = try runner(["deploy", "exp.yaml", "--target", "local", "--destroy", "--quiet"], environment: environment)
        XCTAssertEqual(twice.status, 0, "a second destroy finds nothing and does nothing: \(twice.stderr)")
    }

    func testEC2AgainstMotoCreatesTheRightResourcesAndDestroysThem() throws {
        _ = try Self.requireContainerEngine()
        let python = try ReferencePython.interpreter(importing: ["moto"])
        let bin = URL(fileURLWithPath: python).deletingLastPathComponent()
        let aws = bin.appendingPathComponent("aws").path
        let motoPort = try Self.freePort()
        let moto = Process()
        moto.executableURL = bin.appendingPathComponent("moto_server")
        moto.arguments = ["-H", "127.0.0.1", "-p", String(motoPort)]
        moto.standardOutput = FileHandle.nullDevice
        moto.standardError = FileHandle.nullDevice
        try moto.run()
        defer {
            moto.terminate()
            moto.waitUntilExit()
        }
        var environment = try containerEnvironment()
        environment["PATH"] = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(motoPort)"
        environment["AWS_ACCESS_KEY_ID"] = "testing"
        environment["AWS_SECRET_ACCESS_KEY"] = "testing"
        environment["AWS_DEFAULT_REGION"] = "eu-west-1"
        environment["AWS_CONFIG_FILE"] = "/dev/null"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        let ready = try runner(["probe", "--wait", "120", "http://127.0.0.1:\(motoPort)/"])
        XCTAssertEqual(ready.status, 0, ready.stderr)
        func awsJSON(_ arguments: [String]) throws -> Any {
            let result = try Self.run([aws] + arguments + ["--output", "json"], environment: environment)
            XCTAssertEqual(result.status, 0, result.output)
            return try JSONSerialization.jsonObject(with: Data(result.output.utf8))
        }
        XCTAssertEqual(try Self.run([aws, "s3", "mb", "s3://runner-test"], environment: environment).status, 0)

        let applied = try runner(["deploy", "exp.yaml", "--target", "prod-aws", "--apply", "--quiet"], environment: environment)
        XCTAssertEqual(applied.status, 0, applied.stderr)
        let reservations = try XCTUnwrap((try awsJSON(["ec2", "describe-instances"]) as? [String: Any])?["Reservations"] as? [[String: Any]])
        let instances = reservations.flatMap { $0["Instances"] as? [[String: Any]] ?? [] }
        XCTAssertEqual(instances.count, 1)
        let instance = try XCTUnwrap(instances.first)
        let instanceID = try XCTUnwrap(instance["InstanceId"] as? String)
        XCTAssertTrue(applied.stdout.contains("INSTANCE_ID=\(instanceID)"), applied.stdout)
        let listed = try runner(["deployments"])
        XCTAssertTrue(listed.stdout.contains("prod-aws") && listed.stdout.contains("INSTANCE_ID=\(instanceID)") && listed.stdout.contains("applied"), listed.stdout)
        XCTAssertEqual(instance["InstanceType"] as? String, "t3.micro")
        XCTAssertEqual((instance["MetadataOptions"] as? [String: Any])?["HttpTokens"] as? String, "required", "IMDSv2 only")
        let tags = Dictionary(uniqueKeysWithValues: (instance["Tags"] as? [[String: String]] ?? []).compactMap { tag in tag["Key"].map { ($0, tag["Value"] ?? "") } })
        XCTAssertEqual(tags["runner-experiment"], "penguins")
        XCTAssertEqual(tags["runner-target"], "prod-aws")
        XCTAssertEqual(tags["runner-bundle"]?.count, 12)
        XCTAssertEqual(tags["Name"], "runner-prod-aws")
        XCTAssertTrue(((instance["IamInstanceProfile"] as? [String: Any])?["Arn"] as? String)?.hasSuffix("instance-profile/runner-prod-aws") == true)
        let userData = try XCTUnwrap(((try awsJSON(["ec2", "describe-instance-attribute", "--instance-id", instanceID, "--attribute", "userData"]) as? [String: Any])?["UserData"] as? [String: Any])?["Value"] as? String)
        let cloudInit = try String(contentsOf: folder.appendingPathComponent("out/penguins/deploy/prod-aws/cloud-init.yaml"), encoding: .utf8)
        XCTAssertEqual(Data(base64Encoded: userData).map { String(decoding: $0, as: UTF8.self) }, cloudInit)
        XCTAssertTrue(cloudInit.contains("aws ssm get-parameter --region eu-west-1 --with-decryption --name /runner/api-keys"))
        let groups = try XCTUnwrap((try awsJSON(["ec2", "describe-security-groups", "--filters", "Name=group-name,Values=runner-prod-aws"]) as? [String: Any])?["SecurityGroups"] as? [[String: Any]])
        let permissions = try XCTUnwrap(groups.first?["IpPermissions"] as? [[String: Any]])
        XCTAssertEqual(permissions.count, 1, "one way in")
        XCTAssertEqual(permissions.first?["FromPort"] as? Int, 8080)
        XCTAssertEqual((permissions.first?["IpRanges"] as? [[String: Any]])?.compactMap { $0["CidrIp"] as? String }, ["203.0.113.0/24"])
        let policy = try XCTUnwrap((try awsJSON(["iam", "get-role-policy", "--role-name", "runner-prod-aws", "--policy-name", "runner-prod-aws"]) as? [String: Any])?["PolicyDocument"])
        let statements = try XCTUnwrap((policy as? [String: Any])?["Statement"] as? [[String: Any]])
        XCTAssertEqual(statements.compactMap { $0["Action"] as? String }.sorted(), ["s3:GetObject", "ssm:GetParameter"])
        let archives = try Self.run([aws, "s3", "ls", "s3://runner-test/models/"], environment: environment)
        XCTAssertTrue(archives.output.contains("runner-penguins-\(tags["runner-bundle"] ?? "").tar"), archives.output)

        // Applying again finds everything and launches nothing.
        let again = try runner(["deploy", "exp.yaml", "--target", "prod-aws", "--apply", "--quiet"], environment: environment)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("launch the instance (IMDSv2 only, encrypted root volume): already there (INSTANCE_ID=\(instanceID))"), again.stderr)

        let destroyed = try runner(["deploy", "exp.yaml", "--target", "prod-aws", "--destroy", "--quiet"], environment: environment)
        XCTAssertEqual(destroyed.status, 0, destroyed.stderr)
        let after = try XCTUnwrap((try awsJSON(["ec2", "describe-instances", "--instance-ids", instanceID]) as? [String: Any])?["Reservations"] as? [[String: Any]])
        XCTAssertEqual(((after.first?["Instances"] as? [[String: Any]])?.first?["State"] as? [String: Any])?["Name"] as? String, "terminated")
        let groupsAfter = (try awsJSON(["ec2", "describe-security-groups", "--filters", "Name=group-name,Values=runner-prod-aws"]) as? [String: Any])?["SecurityGroups"] as? [[String: Any]]
        XCTAssertEqual(groupsAfter?.count, 0)
        let roles = (try awsJSON(["iam", "list-roles"]) as? [String: Any])?["Roles"] as? [[String: Any]]
        XCTAssertFalse(roles?.contains { $0["RoleName"] as? String == "runner-prod-aws" } ?? true)
        XCTAssertFalse(try Self.run([aws, "s3", "ls", "s3://runner-test/models/"], environment: environment).output.contains(".tar"))
        let twice = try runner(["deploy", "exp.yaml", "--target", "prod-aws", "--destroy", "--quiet"], environment: environment)
        XCTAssertEqual(twice.status, 0, "a second destroy finds nothing and does nothing: \(twice.stderr)")
    }

    // MARK: helpers

    /// Podman's configuration for this machine kind (runc, chroot builds, small ulimits) and
    /// the image binary CI built.
    private func containerEnvironment() throws -> [String: String] {
        let configuration = folder.appendingPathComponent("containers.conf")
        if !FileManager.default.fileExists(atPath: configuration.path) {
            try """
                [containers]
                default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
                [engine]
                runtime = "runc"

                """.write(to: configuration, atomically: true, encoding: .utf8)
        }
        var environment = ["CONTAINERS_CONF": configuration.path, "BUILDAH_ISOLATION": "chroot", "BUILDAH_FORMAT": "docker"]
        if let binary = ProcessInfo.processInfo.environment["RUNNER_IMAGE_BINARY"] { environment["RUNNER_IMAGE_BINARY"] = binary }
        return environment
    }

    private static func requireContainerEngine() throws -> String {
        if let podman = locate("podman") { return podman }
        let message = "podman is not installed (`apt-get install podman runc`; .ci/run installs them)"
        if ProcessInfo.processInfo.environment["RUNNER_REQUIRE_CONTAINER"] == "1" { throw ServeTestFailure(message) }
        throw XCTSkip(message)
    }

    private static func locate(_ program: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(program)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program with output in a file (podman leaves conmon holding its pipes).
    private static func run(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("runner-deploy-test-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
    }

    /// A port nothing listens on now (the kernel's pick).
    private static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.bind(socket, $0, length) } }
        guard bound == 0 else { throw ServeTestFailure("cannot bind a port") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
