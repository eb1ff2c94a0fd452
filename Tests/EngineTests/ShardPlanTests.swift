import Foundation
import XCTest
@testable import Engine

/// The shard assignment: every fit in exactly one shard, the same on every planning of the
/// spec, expensive fits spread before cheap ones, and the CI variables `--shard auto` reads.
final class ShardPlanTests: XCTestCase {
    func testEveryFitIsDealtOnceDeterministicallyAndBalancedByCost() throws {
        let fixture = try EngineFixture(spec: EngineFixture.baseSpec.replacingOccurrences(of: "  - {name: nb, type: gaussian_nb}", with: """
              - {name: nb, type: gaussian_nb}
              - {name: forest, type: random_forest, params: {n_estimators: 400}, grid: {max_depth: [2, 3]}}
            """))
        defer { fixture.remove() }
        let graph = try fixture.prepare().graph
        XCTAssertEqual(graph.fitStages.count, 15, "(2 + 1 + 2 candidates) x 3 folds")
        for shards in 1...7 {
            let assignment = ShardPlan.assignment(graph, shards: shards)
            XCTAssertEqual(Set(assignment.keys), Set(graph.fitStages.map(\.stage)), "every fit has a shard")
            XCTAssertTrue(assignment.values.allSatisfy { (1...shards).contains($0) })
            XCTAssertEqual(try ShardPlan.assignment(fixture.prepare().graph, shards: shards), assignment, "the same on every planning")
        }
        // The six forest fits (400 trees each) dominate: with three shards each gets two.
        let three = ShardPlan.assignment(graph, shards: 3)
        let forests = graph.fitStages.filter { graph.stages[$0.stage].name.hasPrefix("fit forest") }.map(\.stage)
        XCTAssertEqual(forests.count, 6)
        XCTAssertEqual(Dictionary(grouping: forests) { three[$0]! }.mapValues(\.count), [1: 2, 2: 2, 3: 2])
    }

    func testTheShardComesFromTheCISystem() {
        XCTAssertEqual(try Shard.fromEnvironment(["CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "4"]).get(), Shard(index: 2, count: 4))
        XCTAssertEqual(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "0", "RUNNER_SHARD_TOTAL": "3"]).get(), Shard(index: 1, count: 3))
        XCTAssertEqual(try Shard.fromEnvironment(["RUNNER_SHARD": "3/3", "CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"]).get(), Shard(index: 3, count: 3), "RUNNER_SHARD first")
        XCTAssertEqual(Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "0"]), .failure(.invalid("JOB_COMPLETION_INDEX=0 without RUNNER_SHARD_TOTAL (the Job's completions)")))
        XCTAssertEqual(Shard.fromEnvironment([:]), .failure(.notFound))
        XCTAssertNil(Shard("3/2"))
        XCTAssertNil(Shard("0/2"))
        XCTAssertEqual(Shard("1/1")?.description, "1/1")
    }
}
