import Foundation
@testable import Pipelines
import Spec
import XCTest

/// Specs written in the tests, checked as `runner ci` checks them (no data read).
enum PipelineFixtures {
    static let root = "/repo"

    static func spec(name: String = "churn", tests: Bool = true, remote: String? = nil, deploy: String = "", extra: String = "") -> String {
        var text = """
            version: 1
            name: \(name)
            seed: 1
            data: {source: data/churn.csv, target: churned}
            models:
              - {name: forest, type: random_forest, grid: {max_depth: [3, 5]}}
            search: {cv: 5}

            """
        if tests { text += "tests:\n  - metric: {accuracy: \">= 0.8\"}\n" }
        if let remote { text += "remote: \(remote)\n" }
        if !deploy.isEmpty { text += "deploy:\n" + deploy }
        return text + extra
    }

    static func loaded(_ text: String, path: String = "experiments/churn.yaml", file: StaticString = #filePath, line: UInt = #line) throws -> LoadedSpec {
        let check = SpecLoader.load(text: text, file: path, baseDirectory: root + "/experiments", checkData: false)
        XCTAssertTrue(check.isValid, check.diagnostics.map(\.description).joined(separator: "\n"), file: file, line: line)
        let experiment = try XCTUnwrap(check.experiment, file: file, line: line)
        return LoadedSpec(path: path, experiment: experiment, text: text)
    }

    static func plan(_ system: CISystem, _ specs: [LoadedSpec], shards: Int = 1, remote: String? = nil, image: String? = nil) throws -> PipelinePlan {
        var options = PipelineOptions(system: system, commandLine: "runner ci \(system.rawValue)")
        options.shards = shards
        options.remote = remote
        options.image = image
        return try PipelinePlan.make(specs: specs, root: root, options: options)
    }

    static let targets = """
          - {name: local, type: container, port: 8081, secrets: {api_keys: {env: API_KEYS_FILE}}}
          - {name: cluster, type: kubernetes, image: registry.example.com/team/churn:1}
          - {name: prod-aws, type: aws_ec2, region: eu-west-1, artifacts: s3://models/runner, allow_cidr: 203.0.113.0/24}
          - {name: prod-azure, type: azure_vm, resource_group: ml, location: westeurope, artifacts: https://acct.blob.core.windows.net/models, allow_cidr: 203.0.113.0/24}
          - {name: prod-gcp, type: gcp_compute, project: ml, zone: europe-west1-b, artifacts: gs://models/runner, allow_cidr: 203.0.113.0/24}

        """
}
