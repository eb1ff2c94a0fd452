import Foundation
import XCTest
@testable import Learn

/// Every metric equals scikit-learn's on the same predictions, to 1e-9 (Fixtures/metrics.json).
final class ScoringTests: XCTestCase {
    func testMetricsMatchScikitLearn() throws {
        let fixture = try Fixtures.json("metrics.json")
        let cases = fixture["cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 7)
        var checked = 0
        for testCase in cases {
            let name = testCase["name"] as! String
            let values = testCase["values"] as! [String: Double]
            let truth: Target, prediction: Prediction
            if testCase["task"] as! String == "classification" {
                let classCount = testCase["classes"] as! Int
                truth = .classes(labels: ints(testCase["truth"]), classes: (0..<classCount).map(String.init))
                let rows = matrixRows(testCase["probabilities"])
                prediction = .classes(labels: ints(testCase["predicted"]), probabilities: Matrix(rows: rows.count, columns: classCount, values: rows.flatMap { $0 }))
                let confusion = Scoring.confusionMatrix(truth: ints(testCase["truth"]), predicted: ints(testCase["predicted"]), classCount: classCount)
                XCTAssertEqual(confusion, (testCase["confusion"] as! [[Int]]), name)
            } else {
                truth = .values(doubles(testCase["truth"]))
                prediction = .values(doubles(testCase["predicted"]))
            }
            for (metricName, expected) in values {
                let metric = try XCTUnwrap(Metric(rawValue: metricName), metricName)
                let actual = try Scoring.score(metric, truth: truth, prediction: prediction)
                XCTAssertEqual(actual, expected, accuracy: 1e-9, "\(name) \(metricName)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 60)
    }

    func testUndefinedMetricsFailClearly() {
        let truth = Target.classes(labels: [0, 0, 0], classes: ["a", "b"])
        let prediction = Prediction.classes(labels: [0, 1, 0], probabilities: Matrix(rows: 3, columns: 2, values: [0.9, 0.1, 0.4, 0.6, 0.8, 0.2]))
        XCTAssertThrowsError(try Scoring.score(.rocAUC, truth: truth, prediction: prediction)) { error in
            XCTAssertEqual((error as? LearnError)?.message, "roc_auc is undefined when the scored rows hold a single class; lower search.cv or use another metric")
        }
        let three = Target.classes(labels: [0, 1, 2], classes: ["a", "b", "c"])
        XCTAssertThrowsError(try Scoring.score(.f1, truth: three, prediction: .classes(labels: [0, 1, 2], probabilities: nil))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "metric 'f1' is defined for two classes, and the target has 3; use 'f1_macro' or 'f1_weighted'")
        }
        XCTAssertThrowsError(try Scoring.score(.rmse, truth: three, prediction: .classes(labels: [0, 1, 2], probabilities: nil)))
        XCTAssertThrowsError(try Scoring.score(.r2, truth: .values([1, 2]), prediction: .values([1, .nan]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "the model predicted nan; check the features for extreme values")
        }
    }

    /// Errors near double's limits: finite metrics stay finite (computed scaled); a metric whose
    /// true value is beyond double range is refused by name, never returned as inf or nan.
    func testRegressionMetricsNearTheLimitsOfDoublePrecision() throws {
        let truth = Target.values([0, 0, 0, 0])
        let huge = Prediction.values([3e200, -3e200, 3e200, -3e200])
        XCTAssertEqual(try Scoring.score(.rmse, truth: truth, prediction: huge), 3e200)
        XCTAssertEqual(try Scoring.score(.mae, truth: truth, prediction: .values([1.5e308, 1.5e308, 1.5e308, 1.5e308])), 1.5e308)
        XCTAssertThrowsError(try Scoring.score(.mse, truth: truth, prediction: huge)) { error in
            XCTAssertTrue("\(error)".hasPrefix("metric 'mse' is beyond double range: prediction errors reach 3e+200"), "\(error)")
        }
        let spread = Target.values([1e200, -1e200, 1e200, -1e200])
        XCTAssertEqual(try Scoring.score(.r2, truth: spread, prediction: .values([1e200, -1e200, 1e200, 0])), 0.75, accuracy: 1e-12)
        // Ordinary data: the plain formula, bit for bit.
        XCTAssertEqual(try Scoring.score(.rmse, truth: .values([1, 2]), prediction: .values([2, 4])), (5.0 / 2).squareRoot())
        let scores = FoldScores([1e308, -1e308, 1e308, -1e308])
        XCTAssertEqual(scores.mean, 0)
        XCTAssertEqual(scores.std, 1e308)
    }
}
