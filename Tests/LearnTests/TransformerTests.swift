import Foundation
import XCTest
@testable import Learn
import Tabular

final class TransformerTests: XCTestCase {
    private func table(_ columns: [Column]) -> Table { try! Table(columns: columns) }

    func testImputersLearnOnTrainingRowsOnly() throws {
        let train = table([Column(name: "x", numeric: [1, .nan, 3, 10]), Column(name: "c", strings: ["b", nil, "a", "b"])])
        let test = table([Column(name: "x", numeric: [.nan, 100]), Column(name: "c", strings: [nil, "z"])])
        let cases: [(ImputeStrategy, Double)] = [(.mean, 14.0 / 3), (.median, 3), (.mostFrequent, 1), (.constant, 0)]
        for (strategy, expected) in cases {
            let fitted = try PreprocessingConfig.impute(columns: .numeric, strategy: strategy, fillValue: nil).fit(train)
            let output = try fitted.transform(test)
            XCTAssertEqual(output["x"]?.numericValues, [expected, 100], "\(strategy)")
        }
        let categorical = try PreprocessingConfig.impute(columns: .categorical, strategy: .mostFrequent, fillValue: nil).fit(train)
        XCTAssertEqual(try categorical.transform(test)["c"]?.text(at: 0), "b")
        let constant = try PreprocessingConfig.impute(columns: .categorical, strategy: .constant, fillValue: nil).fit(train)
        XCTAssertEqual(try constant.transform(test)["c"]?.text(at: 0), "missing_value")
        XCTAssertThrowsError(try PreprocessingConfig.impute(columns: .all, strategy: .mean, fillValue: nil).fit(train)) { error in
            XCTAssertEqual((error as? LearnError)?.message, "mean imputation needs numbers, and column 'c' is categorical; use strategy: most_frequent or constant for it")
        }
        let empty = table([Column(name: "gone", numeric: [.nan, .nan])])
        XCTAssertThrowsError(try PreprocessingConfig.impute(columns: .all, strategy: .median, fillValue: nil).fit(empty)) { error in
            XCTAssertEqual((error as? LearnError)?.message, "column 'gone' has no values in the training data, so median imputation has nothing to learn from; drop it in data.drop")
        }
    }

    func testOneHotEncoding() throws {
        let train = table([Column(name: "size", strings: ["m", "s", nil, "l", "s"]), Column(name: "n", numeric: [4, 6, 4, 8, 6])])
        let fitted = try PreprocessingConfig.oneHot(columns: .all, ignoreUnknown: true, drop: .none).fit(train)
        let output = try fitted.transform(table([Column(name: "size", strings: ["s", "xl", nil]), Column(name: "n", numeric: [8, 5, 4])]))
        XCTAssertEqual(output.columnNames, ["size_l", "size_m", "size_s", "size_nan", "n_4", "n_6", "n_8"])
        XCTAssertEqual(output["size_s"]?.numericValues, [1, 0, 0])
        XCTAssertEqual(output["size_nan"]?.numericValues, [0, 0, 1])
        XCTAssertEqual((0..<4).map { output.columns[$0].numericValues![1] }, [0, 0, 0, 0], "unseen category: all zeros")
        XCTAssertEqual(output["n_8"]?.numericValues, [1, 0, 0])

        let strict = try PreprocessingConfig.oneHot(columns: .names(["size"]), ignoreUnknown: false, drop: .first).fit(train)
        XCTAssertThrowsError(try strict.transform(table([Column(name: "size", strings: ["xl"]), Column(name: "n", numeric: [1])]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "input row 1, column 'size': the value 'xl' was not seen in training; set handle_unknown: ignore on its one_hot step to encode unseen values as all zeros")
        }
        // A missing value is named as missing, not as the category 'nan', when training had none.
        let complete = try PreprocessingConfig.oneHot(columns: .names(["size"]), ignoreUnknown: false, drop: .none).fit(table([Column(name: "size", strings: ["m", "s"])]))
        XCTAssertThrowsError(try complete.transform(table([Column(name: "size", strings: ["s", nil])]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "input row 2, column 'size': the value is missing, and training saw no missing values in this column; send a value, impute the column before one_hot, or set handle_unknown: ignore on the one_hot step")
        }
        XCTAssertEqual(try strict.transform(train).columnNames, ["size_m", "size_s", "size_nan", "n"])
        let binary = try PreprocessingConfig.oneHot(columns: .all, ignoreUnknown: false, drop: .ifBinary)
            .fit(table([Column(name: "sex", strings: ["f", "m"]), Column(name: "k", strings: ["a", "b"]).withName("k")]))
        XCTAssertEqual(try binary.transform(table([Column(name: "sex", strings: ["m"]), Column(name: "k", strings: ["b"])])).columnNames, ["sex_m", "k_b"])
    }

    func testOrdinalEncoding() throws {
        let train = table([Column(name: "cut", strings: ["Good", "Ideal", "Fair", nil])])
        let sorted = try PreprocessingConfig.ordinal(columns: .all, categories: [:], unknownValue: nil).fit(train)
        XCTAssertTrue(try sorted.transform(train)["cut"]!.numericValues!.prefix(3).elementsEqual([1, 2, 0]))
        XCTAssertTrue(try sorted.transform(train)["cut"]!.numericValues![3].isNaN, "missing stays missing")
        let ordered = try PreprocessingConfig.ordinal(columns: .all, categories: ["cut": ["Fair", "Good", "Ideal", "Premium"]], unknownValue: -1).fit(train)
        XCTAssertEqual(try ordered.transform(table([Column(name: "cut", strings: ["Premium", "Unknown"])]))["cut"]?.numericValues, [3, -1])
        XCTAssertThrowsError(try sorted.transform(table([Column(name: "cut", strings: ["Premium"])]))) { error in
            XCTAssertEqual((error as? LearnError)?.message, "input row 1, column 'cut': the value 'Premium' was not seen in training; list it in the ordinal step's categories, or set handle_unknown: use_encoded_value")
        }
        XCTAssertThrowsError(try PreprocessingConfig.ordinal(columns: .all, categories: ["cut": ["Fair", "Good"]], unknownValue: nil).fit(train)) { error in
            XCTAssertEqual((error as? LearnError)?.message, "column 'cut' holds 'Ideal', which its ordinal order does not list; add it to categories, or set handle_unknown: use_encoded_value")
        }
    }

    func testScalersMatchScikitLearn() throws {
        let fixture = try Fixtures.json("models.json")["scalers"] as! [String: Any]
        let data = try Fixtures.table("diabetes.csv").dropping(columns: ["target"])
        for method in ScaleMethod.allCases {
            let fitted = try PreprocessingConfig.scale(columns: .all, method: method).fit(data)
            let output = try fitted.transform(data.taking(rows: [0, 1, 2, 3, 4]))
            let expected = matrixRows(fixture[method.rawValue])
            for row in 0..<5 {
                for (index, column) in output.columns.enumerated() {
                    XCTAssertEqual(column.numericValues![row], expected[row][index], accuracy: 1e-12, "\(method) \(column.name)")
                }
            }
        }
        let constant = try PreprocessingConfig.scale(columns: .all, method: .standard).fit(table([Column(name: "k", numeric: [5, 5, 5])]))
        XCTAssertEqual(try constant.transform(table([Column(name: "k", numeric: [5, 6])]))["k"]?.numericValues, [0, 1], "zero spread scales by 1")
    }

    func testDropColumnsWithMissing() throws {
        let train = table([Column(name: "a", numeric: [1, .nan, .nan, 4]), Column(name: "b", numeric: [1, .nan, 3, 4]), Column(name: "c", numeric: [1, 2, 3, 4])])
        let fitted = try PreprocessingConfig.dropColumnsWithMissing(columns: .all, threshold: 0.3).fit(train)
        XCTAssertEqual(try fitted.transform(train).columnNames, ["b", "c"])
    }

    func testTargetEncoding() throws {
        XCTAssertEqual(try Target.encode(Column(name: "y", strings: ["b", "a", "b"]), task: .classification), .classes(labels: [1, 0, 1], classes: ["a", "b"]))
        XCTAssertEqual(try Target.encode(Column(name: "y", numeric: [10, 2, 2]), task: .classification), .classes(labels: [1, 0, 0], classes: ["2", "10"]), "numeric classes sort as numbers")
        XCTAssertThrowsError(try Target.encode(Column(name: "y", strings: ["a", "a"]), task: .classification)) { error in
            XCTAssertEqual((error as? LearnError)?.message, "target 'y' has a single class 'a'; classification needs at least two")
        }
        XCTAssertThrowsError(try Target.encode(Column(name: "y", strings: ["a", "b"]), task: .regression))
        XCTAssertThrowsError(try Target.encode(Column(name: "y", numeric: [1, .nan]), task: .regression))
    }
}

private extension Column {
    func withName(_ name: String) -> Column {
        var copy = self
        copy.name = name
        return copy
    }
}
