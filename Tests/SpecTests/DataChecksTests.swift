import Foundation
import XCTest
import Learn
@testable import Spec
import Tabular

final class DataChecksTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("datachecks-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ name: String, _ text: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    private func check(_ yaml: String) -> SpecCheck {
        SpecLoader.load(text: yaml, file: "exp.yaml", baseDirectory: folder.path)
    }

    func testTaskInference() {
        XCTAssertEqual(TaskInference.infer(from: Column(name: "y", strings: ["a", "b"])).task, .classification)
        XCTAssertEqual(TaskInference.infer(from: Column(name: "y", numeric: [0, 1, 2, 1])).task, .classification)
        XCTAssertEqual(TaskInference.infer(from: Column(name: "y", numeric: [0.5, 1, 2])).task, .regression)
        XCTAssertEqual(TaskInference.infer(from: Column(name: "y", numeric: (0..<21).map(Double.init))).task, .regression)
        XCTAssertEqual(TaskInference.infer(from: Column(name: "y", numeric: [0, 1], kind: .boolean)).task, .classification)
    }

    func testDataErrorsPointIntoTheDataFile() throws {
        try write("rows.csv", "a,y\n1,x\n2\n")
        let result = check("version: 1\ndata: {source: rows.csv, target: y}\nmodels: [{type: gaussian_nb}]\n")
        XCTAssertEqual(result.errors.map(\.description), ["\(folder.path)/rows.csv:3:2: error: row has 1 field but the header has 2"])
    }

    /// A device or a pipe is no data file: reading /dev/zero would never end.
    func testASourceThatIsNotARegularFileIsRefusedAtItsLine() {
        let result = check("version: 1\ndata: {source: /dev/zero, target: y}\nmodels: [{type: gaussian_nb}]\n")
        XCTAssertEqual(result.errors.map(\.description), ["exp.yaml:2:16: error: data source '/dev/zero': not a regular file; give a CSV or JSON Lines file"])
    }

    func testSingleClassAndRareClasses() throws {
        try write("one.csv", "a,y\n1,x\n2,x\n3,x\n")
        XCTAssertEqual(check("version: 1\ndata: {source: one.csv, target: y}\nmodels: [{type: gaussian_nb}]\n").errors.map(\.description),
                       ["exp.yaml:2:33: error: target 'y' has a single class 'x'; classification needs at least two"])
        var rows = "a,y\n"
        for index in 0..<40 { rows += "\(index),\(index < 4 ? "rare" : "common")\n" }
        try write("rare.csv", rows + "99,single\n")
        XCTAssertEqual(check("version: 1\ndata: {source: rare.csv, target: y}\nmodels: [{type: gaussian_nb}]\n").errors.map(\.description), [
            "exp.yaml:2:34: error: class 'rare' of target 'y' has 4 rows, about 3 after the test split: fewer than search.cv = 5 folds; lower cv or merge rare classes",
            "exp.yaml:2:34: error: class 'single' of target 'y' has only 1 row; a stratified split needs at least 2 per class (remove or merge the class)",
        ])
    }

    func testMissingTargetsWarnAndAllMissingFails() throws {
        var rows = "a,y\n"
        for index in 0..<30 { rows += "\(index),\(index == 3 ? "" : String(index % 2))\n" }
        try write("gaps.csv", rows)
        let result = check("version: 1\ndata: {source: gaps.csv, target: y}\nmodels: [{type: gaussian_nb}]\n")
        XCTAssertTrue(result.isValid)
        XCTAssertEqual(result.diagnostics.map(\.description), ["exp.yaml:2:34: warning: 1 row of 30 have no value in target 'y' and will be left out"])
        try write("empty.csv", "a,y\n1,\n2,\n")
        XCTAssertEqual(check("version: 1\ndata: {source: empty.csv, target: y}\nmodels: [{type: gaussian_nb}]\n").errors.map(\.description),
                       ["exp.yaml:2:35: error: target 'y' has no values"])
    }

    func testPreprocessingFlow() throws {
        try write("mix.csv", "num,cat,y\n1,a,1.5\n,b,2.5\n3,,3.5\n4,a,4.5\n5,b,5.5\n6,a,6.5\n7,b,7.5\n8,a,8.5\n")
        let yaml = """
            version: 1
            data: {source: mix.csv, target: y}
            preprocess:
              - impute: {columns: all, strategy: median}
              - scale: {columns: [cat]}
            models: [{type: ridge}]
            """
        XCTAssertEqual(check(yaml).errors.map(\.description), [
            "exp.yaml:4:5: error: median imputation needs numbers, and column 'cat' is categorical; use strategy: most_frequent or constant for it",
            "exp.yaml:4:5: error: column 'cat' is categorical and no step encodes it; add `- one_hot: {columns: [cat]}` (or ordinal) to preprocess, or list it in data.drop",
            "exp.yaml:5:5: error: scale needs numbers, and column 'cat' is categorical; encode it first with one_hot or ordinal",
        ])
        let fixed = """
            version: 1
            data: {source: mix.csv, target: y}
            preprocess:
              - impute: {columns: numeric, strategy: median}
              - one_hot: {columns: [cat]}
              - scale: {}
            models: [{type: ridge}, {type: hist_gradient_boosting}]
            """
        XCTAssertTrue(check(fixed).isValid, "\(check(fixed).diagnostics)")
        let boostingOnly = "version: 1\ndata: {source: mix.csv, target: y}\npreprocess: [{one_hot: {}}]\nmodels: [{type: hist_gradient_boosting}]\n"
        XCTAssertTrue(check(boostingOnly).isValid, "hist_gradient_boosting takes missing values")
    }

    func testTargetCannotBePreprocessedOrDropped() throws {
        try write("t.csv", "a,y\n" + (1...8).map { "\($0),\($0).5\n" }.joined())
        XCTAssertEqual(check("version: 1\ndata: {source: t.csv, target: y, drop: [y]}\npreprocess: [{scale: {columns: [y]}}]\nmodels: [{type: ridge}]\n").errors.map(\.description), [
            "exp.yaml:2:41: error: 'y' is the target; it cannot be dropped",
            "exp.yaml:3:33: error: 'y' is the target; preprocessing applies to features only",
        ])
    }

    func testTypesOverrideInference() throws {
        try write("codes.csv", "zip,y\n" + (1...8).map { "\($0)000,\($0).5\n" }.joined())
        let result = check("version: 1\ndata: {source: codes.csv, target: y, types: {zip: categorical}}\nmodels: [{type: ridge}]\n")
        XCTAssertEqual(result.errors.first?.description, "exp.yaml:2:35: error: column 'zip' is categorical and no step encodes it; add `- one_hot: {columns: [zip]}` (or ordinal) to preprocess, or list it in data.drop")
        XCTAssertEqual(check("version: 1\ndata: {source: codes.csv, target: y, types: {zp: categorical}}\nmodels: [{type: ridge}]\n").errors.map(\.description),
                       ["exp.yaml:2:46: error: typed column 'zp' is not a column of codes.csv (did you mean 'zip'?)"])
    }

    /// The test split, the folds and early stopping each need rows to train on; a spec that
    /// validates must not fail (or plan a million fold stages) for want of them.
    func testSplitSizesAreCheckedAgainstTheRows() throws {
        try write("r.csv", "a,y\n" + (1...20).map { "\($0),\(Double($0) * 1.5)\n" }.joined())
        func errors(_ settings: String, model: String = "{type: ridge}") -> [String] {
            check("version: 1\ndata: {source: r.csv, target: y}\n\(settings)\nmodels: [\(model)]\n").errors.map(\.description)
        }
        XCTAssertEqual(errors("search: {cv: 1000000000000}"), [
            "exp.yaml:3:14: error: search.cv = 1000000000000 folds need at least 1000000000000 training rows, and 20 rows leave 16 after the test split; lower search.cv (at most 16) or split.test_size",
        ])
        XCTAssertEqual(errors("search: {cv: 16}"), [])
        // Valid but saying nothing: r2 on one row (scikit-learn gives nan) is a warning.
        func warnings(_ settings: String) -> [String] {
            check("version: 1\ndata: {source: r.csv, target: y}\n\(settings)\nmodels: [{type: ridge}]\n").diagnostics.filter { $0.severity == .warning }.map(\.description)
        }
        XCTAssertEqual(warnings("search: {cv: 16}"), ["exp.yaml:3:14: warning: with search.cv = 16, a fold validates on 1 row; r2 is not defined on fewer than 2 rows, so its fold scores say nothing; lower search.cv"])
        XCTAssertEqual(warnings("split: {test_size: 1}\nsearch: {cv: 2}"), ["exp.yaml:3:20: warning: the test split holds 1 row; r2 is not defined on fewer than 2 rows, so the test r2 says nothing; raise split.test_size"])
        XCTAssertEqual(warnings("search: {cv: 8}"), [])
        XCTAssertEqual(errors("search: {cv: 17}").count, 1)
        XCTAssertEqual(errors("split: {test_size: 20}"), [
            "exp.yaml:3:20: error: split.test_size = 20 rows holds out 20 of the 20 rows with a target, leaving 0 for training; change split.test_size (a fraction or a row count from 1 to 19)",
        ])
        XCTAssertEqual(errors("split: {test_size: 0.99999}").first?.hasPrefix("exp.yaml:3:20: error: split.test_size = 0.99999 holds out 20 of the 20 rows"), true)
        // A tiny fraction still holds out one row (rounded up, as the split does): valid.
        XCTAssertEqual(errors("split: {test_size: 1e-320}\nsearch: {cv: 2}"), [])
        XCTAssertEqual(errors("split: {test_size: 15}"), [])
        XCTAssertEqual(errors("split: {test_size: 16}"), [
            "exp.yaml:3:20: error: search.cv = 5 folds need at least 5 training rows, and 20 rows leave 4 after the test split; lower search.cv (at most 4) or split.test_size",
        ])
        // Early stopping on 2-fold training sets of 8 rows: a 0.9 share leaves nothing to fit.
        XCTAssertEqual(errors("split: {test_size: 4}\nsearch: {cv: 2}", model: "{type: hist_gradient_boosting, params: {early_stopping: true}, grid: {validation_fraction: [0.5, 0.9]}}"), [
            "exp.yaml:5:107: error: model 'hist_gradient_boosting': early stopping holds out validation_fraction = 0.9 of the 8 training rows of a fold (8 rows), leaving none to fit; lower validation_fraction or set early_stopping: false",
        ])
        XCTAssertEqual(errors("split: {test_size: 4}\nsearch: {cv: 2}", model: "{type: hist_gradient_boosting, grid: {validation_fraction: [0.5, 0.9]}}"), [], "auto early stopping is off for small data")
    }

    func testStratifyOnARegressionTaskIsLocated() throws {
        try write("r.csv", "a,y\n" + (1...20).map { "\($0),\(Double($0) * 1.5)\n" }.joined())
        let result = check("version: 1\ndata: {source: r.csv, target: y}\nsplit: {stratify: true}\nsearch: {stratified: true}\nmodels: [{type: ridge}]\n")
        XCTAssertEqual(result.errors.map(\.description), [
            "exp.yaml:3:19: error: split.stratify needs classes, but this is a regression experiment (inferred: target 'y' holds non-integer numbers; set data.task to override)",
            "exp.yaml:4:22: error: search.stratified needs classes, but this is a regression experiment (inferred: target 'y' holds non-integer numbers; set data.task to override)",
        ])
    }
}
