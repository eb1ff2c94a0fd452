import Foundation
import XCTest
@testable import Monitor
import Learn

/// Every drift statistic against SciPy on generated samples that reach each branch: exact
/// Kolmogorov-Smirnov for equal and unequal sizes (with ties), the asymptotic one past 10,000
/// values, Kolmogorov's distribution in each of its regimes, chi-square with and without
/// Yates' correction, Wasserstein and Jensen-Shannon distances. RUNNER_PYTHON names an
/// interpreter with scipy; RUNNER_REQUIRE_PYTHON=1 turns a skip into a failure.
final class DriftStatisticsTests: XCTestCase {
    private var generator = SeededGenerator(seed: 20261205)

    private func normal(_ count: Int, mean: Double = 0, scale: Double = 1) -> [Double] {
        (0..<count).map { _ in
            let u = Double.random(in: Double.ulpOfOne..<1, using: &generator), v = Double.random(in: 0..<1, using: &generator)
            return mean + scale * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }

    private func integers(_ count: Int, below limit: Int) -> [Double] {
        (0..<count).map { _ in Double(Int.random(in: 0..<limit, using: &generator)) }
    }

    func cases() -> [[String: Any]] {
        var cases: [[String: Any]] = []
        func ks(_ name: String, _ a: [Double], _ b: [Double]) {
            let test = KolmogorovSmirnovTest(sortedReference: a.sorted(), sortedCurrent: b.sorted())
            cases.append(["kind": "ks", "name": name, "reference": a, "current": b, "statistic": test.statistic, "p": test.pValue])
        }
        ks("equal sizes, same distribution", normal(200), normal(200))
        ks("equal sizes, shifted", normal(150), normal(150, mean: 0.4))
        ks("unequal sizes", normal(300), normal(123, mean: 0.2))
        ks("unequal sizes, scaled", normal(1000), normal(377, scale: 1.5))
        ks("ties", integers(500, below: 7), integers(321, below: 8))
        ks("tiny samples", normal(3), normal(5, mean: 1))
        ks("identical samples", [1, 2, 3, 4], [1, 2, 3, 4])
        ks("far apart", normal(40), normal(60, mean: 10))
        ks("large, exact", normal(1000), normal(9000, mean: 0.05))
        for (size, shift) in [(8, 0.9), (60, 0.3), (140, 0.1), (500, 0.08), (1000, 0.05), (1000, 0.3), (300, 0.0)] {
            ks("asymptotic n=\(size) shift \(shift)", normal(size), normal(12_000, mean: shift))
        }
        for n in [1, 2, 5, 10, 50, 100, 140, 141, 500, 1000, 5000, 100_000, 200_000] {
            for x in [0.001, 0.004, 0.01, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.7, 0.95] {
                cases.append(["kind": "kstwo", "name": "kstwo n=\(n) x=\(x)", "n": n, "x": x, "sf": KolmogorovDistribution.survival(n: n, x)])
            }
        }
        func chi2(_ name: String, _ table: [[Double]]) {
            let test = ChiSquareTest(table)
            cases.append(["kind": "chi2", "name": name, "table": table, "statistic": test.statistic, "p": test.pValue, "dof": test.degreesOfFreedom])
        }
        chi2("2x2 with Yates", [[120, 80], [30, 35]])
        chi2("2x2 small difference", [[50, 50], [49, 51]])
        chi2("2x3", [[100, 50, 25], [20, 30, 40]])
        chi2("2x6 sparse", [[300, 2, 0, 14, 80, 1], [40, 1, 3, 0, 9, 0]])
        chi2("2x4 strong", [[1000, 10, 10, 10], [10, 1000, 10, 10]])
        chi2("empty category dropped", [[10, 0, 30], [12, 0, 25]])
        for (x, dof) in [(0.5, 1), (3.84, 1), (10.0, 3), (100.0, 9), (0.01, 40), (250.0, 200), (900.0, 30)] {
            cases.append(["kind": "chi2sf", "name": "chi2.sf(\(x), \(dof))", "x": x, "dof": dof, "sf": GammaFunctions.upperRegularized(Double(dof) / 2, x / 2)])
        }
        func wasserstein(_ name: String, _ a: [Double], _ b: [Double]) {
            cases.append(["kind": "wasserstein", "name": name, "reference": a, "current": b,
                          "distance": DriftDistances.wasserstein(sortedReference: a.sorted(), sortedCurrent: b.sorted())])
        }
        wasserstein("normal vs shifted", normal(500), normal(300, mean: 0.5))
        wasserstein("ties", integers(400, below: 5), integers(100, below: 6))
        wasserstein("single values", [3], [7])
        wasserstein("scaled", normal(1000, scale: 10), normal(1000, scale: 12))
        func js(_ name: String, _ p: [Double], _ q: [Double]) {
            cases.append(["kind": "jensenshannon", "name": name, "p": p, "q": q, "distance": DriftDistances.jensenShannon(p, q)])
        }
        js("counts", [120, 30, 50], [80, 60, 60])
        js("disjoint", [1, 0], [0, 1])
        js("identical", [0.2, 0.3, 0.5], [2, 3, 5])
        js("with zeros", [10, 0, 5, 85], [0, 3, 5, 92])
        return cases
    }

    func testStatisticsAgreeWithSciPy() throws {
        let cases = cases()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-drift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: cases).write(to: path)
        let environment = ProcessInfo.processInfo.environment
        let python = environment["RUNNER_PYTHON"] ?? "python3"
        let probe = try PythonRun.run(python, ["-c", "import scipy"])
        if probe.status != 0 {
            if environment["RUNNER_REQUIRE_PYTHON"] == "1" { XCTFail("\(python) cannot import scipy: \(probe.output)") }
            throw XCTSkip("\(python) with scipy is not available; set RUNNER_PYTHON")
        }
        let result = try PythonRun.run(python, [PythonRun.repository + "/scripts/check_drift_statistics.py", path.path])
        print(result.output)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("\(cases.count) of \(cases.count) cases agree"), result.output)
    }

    /// The exact p-value path is the one SciPy takes up to 10,000 values per sample.
    func testKolmogorovSmirnovChoosesExactUpToTenThousand() {
        let small = KolmogorovSmirnovTest(sortedReference: normal(1000).sorted(), sortedCurrent: normal(10_000).sorted())
        XCTAssertTrue(small.exact)
        let large = KolmogorovSmirnovTest(sortedReference: normal(1000).sorted(), sortedCurrent: normal(10_001).sorted())
        XCTAssertFalse(large.exact)
    }
}

/// Runs a reference tool with its output captured.
enum PythonRun {
    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("runner-python-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
