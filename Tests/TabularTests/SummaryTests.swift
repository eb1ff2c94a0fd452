import XCTest
@testable import Tabular

final class SummaryTests: XCTestCase {
    func testNumericSummaryMatchesPandasDescribe() throws {
        // pandas: pd.Series([1, 2, 3, 4, 10, None]).describe()
        // count 5, mean 4.0, std 3.535534, min 1, 25% 2, 50% 3, 75% 4, max 10
        let column = Column(name: "x", numeric: [1, 2, 3, 4, 10, .nan])
        let summary = ColumnSummary(column: column)
        XCTAssertEqual(summary.count, 5)
        XCTAssertEqual(summary.missing, 1)
        XCTAssertEqual(summary.distinct, 5)
        XCTAssertEqual(summary.mean, 4)
        XCTAssertEqual(summary.std!, 3.5355339059327378, accuracy: 1e-12)
        XCTAssertEqual([summary.min, summary.p25, summary.median, summary.p75, summary.max], [1, 2, 3, 4, 10])
    }

    func testQuantilesInterpolateLinearly() {
        // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) -> 1.75, 2.5, 3.25
        let summary = ColumnSummary(column: Column(name: "x", numeric: [4, 1, 3, 2]))
        XCTAssertEqual(summary.p25, 1.75)
        XCTAssertEqual(summary.median, 2.5)
        XCTAssertEqual(summary.p75, 3.25)
    }

    func testCategoricalSummary() {
        let summary = ColumnSummary(column: Column(name: "c", strings: ["b", "a", nil, "a", "b", "c"]))
        XCTAssertEqual(summary.kind, .categorical)
        XCTAssertEqual(summary.distinct, 3)
        XCTAssertEqual(summary.missing, 1)
        XCTAssertEqual(summary.top, "b", "ties go to the value seen first")
        XCTAssertEqual(summary.topCount, 2)
        XCTAssertNil(summary.mean)
    }

    func testAllMissingColumn() {
        let summary = ColumnSummary(column: Column(name: "x", numeric: [.nan, .nan]))
        XCTAssertEqual(summary.count, 0)
        XCTAssertNil(summary.mean)
        XCTAssertNil(summary.min)
    }

    /// Extreme values give the true statistics, not an overflow or inf - inf.
    func testStatisticsStayFiniteWhereTheTrueValuesAre() {
        let huge = ColumnSummary(column: Column(name: "x", numeric: [1e308, 1e308, -1e308, 1e308]))
        XCTAssertEqual(huge.mean, 5e307)
        XCTAssertEqual(huge.std!, 1e308, accuracy: 1e293)
        XCTAssertEqual(huge.median, 1e308)
        XCTAssertEqual(ColumnSummary(column: Column(name: "x", numeric: [-1e308, 1e308])).median, 0)
        let wide = ColumnSummary(column: Column(name: "x", numeric: [1e200, -1e200, 1e200, 3]))
        XCTAssertEqual(wide.std!, 9.574271077563381e199, accuracy: 1e186)
        // Infinite inputs: infinite where the true statistic is, NaN only where it is undefined.
        let infinite = ColumnSummary(column: Column(name: "x", numeric: [1, .infinity, .infinity, .infinity]))
        XCTAssertEqual(infinite.median, .infinity)
        XCTAssertEqual(infinite.mean, .infinity)
        XCTAssertEqual(infinite.min, 1)
        XCTAssertTrue(infinite.std!.isNaN)
        XCTAssertEqual(ColumnSummary(column: Column(name: "x", numeric: [5, 7, .infinity])).median, 7)
        XCTAssertTrue(ColumnSummary(column: Column(name: "x", numeric: [-.infinity, .infinity])).median!.isNaN)
        // Ordinary data keeps the plain formulas bit for bit.
        XCTAssertEqual(Quantile.linear([1, 2, 3, 4], 0.25), 1 + (2 - 1) * 0.75)
    }
}
