import Foundation
import XCTest
@testable import Learn
import Tabular

/// Models against what scikit-learn learns on the same data (Fixtures/models.json).
final class ModelTests: XCTestCase {
    private var models: [String: Any]!

    override func setUpWithError() throws { models = try Fixtures.json("models.json") }

    private func fixture(_ name: String) -> [String: Any] { models[name] as! [String: Any] }

    private func assertClose(_ actual: [Double], _ expected: [Double], _ tolerance: Double, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: tolerance * max(1, abs(e)), message, file: file, line: line) }
    }

    private func diabetes() throws -> (x: Matrix, y: [Double]) {
        let data = try Fixtures.data("diabetes.csv", target: "target")
        return (data.x, data.target.numericValues!)
    }

    private func iris() throws -> (x: Matrix, labels: [Int]) {
        let data = try Fixtures.data("iris.csv", target: "species")
        guard case .classes(let labels, let classes) = try Target.encode(data.target, task: .classification) else { throw LearnError.data("not classes") }
        XCTAssertEqual(classes, ["setosa", "versicolor", "virginica"])
        return (Fixtures.standardized(data.x), labels)
    }

    func testLinearRegressionAndRidgeAreExact() throws {
        let (x, y) = try diabetes()
        for (name, model) in [("linear_regression", LinearRegressionConfig().fit(x, y)), ("ridge_1", RidgeConfig(alpha: 1).fit(x, y)), ("ridge_100", RidgeConfig(alpha: 100).fit(x, y))] {
            assertClose(model.coefficients.values, doubles(fixture(name)["coef"]), 1e-7, name)
            XCTAssertEqual(model.intercepts[0], fixture(name)["intercept"] as! Double, accuracy: 1e-6, name)
        }
    }

    /// More features than rows: the n x n kernel system (scikit-learn's cholesky path), so a
    /// wide table costs n²p instead of p³; OLS gives the minimum-norm solution (numpy's pinv).
    func testRidgeAndOLSWithMoreFeaturesThanRows() {
        let x = Matrix(rows: 5, columns: 8, values: [1, 2, 0, 4, 1, 0.5, 3, 2, 0, 1, 1, 2, 5, 1, 0, 1, 3, 0, 2, 1, 0, 2, 1, 0, 1, 1, 1, 1, 2, 0, 2, 3, 2, 3, 0, 0, 1, 1, 1, 1])
        let y = [1.5, 2.0, 0.5, 3.0, 2.5]
        let ridge = RidgeConfig(alpha: 0.7).fit(x, y)
        assertClose(ridge.coefficients.values, [-0.11806808100611277, 0.1672966518628338, -0.09909588931505771, -0.3467807424450325, 0.12519011909481165, -0.23186361389238735, 0.03618404011412267, 0.35222038703417663], 1e-12, "ridge")
        XCTAssertEqual(ridge.intercepts[0], 1.9047747402895574, accuracy: 1e-12)
        let ols = LinearRegressionConfig().fit(x, y)
        assertClose(ols.coefficients.values, [-0.12339607843137256, 0.17138431372549032, -0.09959607843137258, -0.3886117647058826, 0.12869803921568645, -0.2550117647058825, 0.04199607843137256, 0.39093725490196085], 1e-9, "ols")
        XCTAssertEqual(ols.intercepts[0], 1.9260196078431373, accuracy: 1e-9)
    }

    func testLassoMatchesScikitLearn() throws {
        let (x, y) = try diabetes()
        let model = LassoConfig(alpha: 0.5).fit(Fixtures.standardized(x), y)
        assertClose(model.coefficients.values, doubles(fixture("lasso_0.5")["coef"]), 1e-3, "lasso")
        XCTAssertEqual(model.coefficients.values.filter { $0 == 0 }.count, doubles(fixture("lasso_0.5")["coef"]).filter { $0 == 0 }.count, "same sparsity")
    }

    func testLogisticRegressionReachesScikitLearnsOptimum() throws {
        let (x, labels) = try iris()
        let multinomial = LogisticRegressionConfig(c: 1, maxIterations: 1000, tolerance: 1e-8).fit(x, labels: labels, classCount: 3)
        assertClose(multinomial.coefficients.values, matrixRows(fixture("logistic_multinomial")["coef"]).flatMap { $0 }, 1e-4, "multinomial coef")
        guard case .classes(_, let probabilities?) = multinomial.predict(x.taking(rows: [0, 1, 2, 3, 4])) else { return XCTFail() }
        assertClose(probabilities.values, matrixRows(fixture("logistic_multinomial")["proba_first5"]).flatMap { $0 }, 1e-6, "multinomial proba")

        let rows = labels.indices.filter { labels[$0] > 0 }
        let binary = LogisticRegressionConfig(c: 0.5, maxIterations: 1000, tolerance: 1e-8).fit(x.taking(rows: rows), labels: rows.map { labels[$0] == 2 ? 1 : 0 }, classCount: 2)
        XCTAssertEqual(binary.kind, .binaryLogistic)
        assertClose(binary.coefficients.values, doubles(fixture("logistic_binary")["coef"].map { ($0 as! [Any])[0] }), 1e-4, "binary coef")
        guard case .classes(_, let binaryProbabilities?) = binary.predict(x.taking(rows: Array(rows.prefix(5)))) else { return XCTFail() }
        assertClose(binaryProbabilities.values, matrixRows(fixture("logistic_binary")["proba_first5"]).flatMap { $0 }, 1e-6, "binary proba")
    }

    func testProbabilityRowsSumToOne() throws {
        let (x, labels) = try iris()
        let fitted: [FittedModel] = [
            .linear(LogisticRegressionConfig().fit(x, labels: labels, classCount: 3)),
            .gaussianNB(GaussianNBConfig().fit(x, labels: labels, classCount: 3)),
            .kNeighbors(try KNeighborsConfig(neighbors: 4, distanceWeighted: true).fit(x, .classes(labels: labels, classes: ["a", "b", "c"]))),
        ]
        for model in fitted {
            guard case .classes(_, let probabilities?) = model.predict(x) else { return XCTFail() }
            for row in 0..<probabilities.rows {
                XCTAssertEqual((0..<3).reduce(0.0) { $0 + probabilities[row, $1] }, 1, accuracy: 1e-12)
            }
        }
    }

    /// Far from every class, every log-likelihood is -inf: the probabilities must still be
    /// numbers (they were NaN), all of it on the nearest class.
    func testGaussianNaiveBayesStaysFiniteFarFromTheData() throws {
        let (x, labels) = try iris()
        let model = GaussianNBConfig().fit(x, labels: labels, classCount: 3)
        let far = Matrix(rows: 3, columns: 4, values: [1e155, 1e155, 1e155, 1e155, -1e155, -1e155, -1e155, -1e155, 1e300, 0, 0, 0])
        guard case .classes(let predicted, let probabilities?) = model.predict(far) else { return XCTFail() }
        XCTAssertTrue(probabilities.values.allSatisfy(\.isFinite), "\(probabilities.values)")
        for row in 0..<3 {
            XCTAssertEqual((0..<3).reduce(0.0) { $0 + probabilities[row, $1] }, 1)
            XCTAssertEqual(probabilities[row, predicted[row]], 1)
        }
        // The nearest class in z-score terms: the widest spread wins far away.
        let spread = (0..<3).map { c in (0..<4).reduce(0.0) { $0 + model.variances[c, $1] } }
        XCTAssertEqual(predicted[0], spread.indices.max { spread[$0] < spread[$1] })
        // Near the data nothing changes: the ordinary arithmetic, bit for bit.
        guard case .classes(_, let near?) = model.predict(x) else { return XCTFail() }
        XCTAssertTrue(near.values.allSatisfy(\.isFinite))
    }

    func testGaussianNaiveBayesMatchesScikitLearn() throws {
        let data = try Fixtures.data("iris.csv", target: "species")
        guard case .classes(let labels, _) = try Target.encode(data.target, task: .classification) else { return XCTFail() }
        let model = GaussianNBConfig().fit(data.x, labels: labels, classCount: 3)
        guard case .classes(let predicted, let probabilities?) = model.predict(data.x) else { return XCTFail() }
        XCTAssertEqual(predicted, ints(fixture("gaussian_nb")["predict"]))
        let sampled = stride(from: 0, to: 150, by: 10).flatMap { row in (0..<3).map { probabilities[row, $0] } }
        assertClose(sampled, matrixRows(fixture("gaussian_nb")["proba"]).flatMap { $0 }, 1e-9, "gaussian nb proba")
    }

    func testKNeighborsMatchScikitLearn() throws {
        let (x, labels) = try iris()
        let evens = stride(from: 0, to: 150, by: 2).map { $0 }, odds = stride(from: 1, to: 150, by: 2).map { $0 }
        for weighted in [false, true] {
            let name = "knn_classifier_\(weighted ? "distance" : "uniform")"
            let model = try KNeighborsConfig(neighbors: 7, distanceWeighted: weighted).fit(x.taking(rows: evens), .classes(labels: evens.map { labels[$0] }, classes: ["a", "b", "c"]))
            guard case .classes(let predicted, let probabilities?) = model.predict(x.taking(rows: odds)) else { return XCTFail() }
            XCTAssertEqual(predicted, ints(fixture(name)["predict"]), name)
            assertClose(probabilities.values, matrixRows(fixture(name)["proba"]).flatMap { $0 }, 1e-12, name)
        }
        let (dx, dy) = try diabetes()
        let scaled = Fixtures.standardized(dx)
        for weighted in [false, true] {
            let name = "knn_regressor_\(weighted ? "distance" : "uniform")"
            let trainRows = stride(from: 0, to: dx.rows, by: 2).map { $0 }, testRows = stride(from: 1, to: dx.rows, by: 2).map { $0 }
            let model = try KNeighborsConfig(neighbors: 5, distanceWeighted: weighted, power: 1).fit(scaled.taking(rows: trainRows), .values(trainRows.map { dy[$0] }))
            guard case .values(let predicted) = model.predict(scaled.taking(rows: testRows)) else { return XCTFail() }
            assertClose(predicted, doubles(fixture(name)["predict"]), 1e-9, name)
        }
    }

    func testKNeighborsNeedsEnoughRows() {
        XCTAssertThrowsError(try KNeighborsConfig(neighbors: 5).fit(Matrix(rows: 3, columns: 1, values: [1, 2, 3]), .values([1, 2, 3]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "k_neighbors needs at least n_neighbors = 5 training rows, and this fit has 3; lower n_neighbors")
        }
    }

    func testFittingIsBitReproducible() throws {
        let (x, labels) = try iris()
        let first = LogisticRegressionConfig(c: 3).fit(x, labels: labels, classCount: 3)
        let second = LogisticRegressionConfig(c: 3).fit(x, labels: labels, classCount: 3)
        XCTAssertEqual(first.coefficients.values.map(\.bitPattern), second.coefficients.values.map(\.bitPattern))
    }
}
