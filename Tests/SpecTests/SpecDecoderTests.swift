import Foundation
import XCTest
import Learn
@testable import Spec
import Tabular

final class SpecDecoderTests: XCTestCase {
    private func check(_ yaml: String, data: Bool = false) -> SpecCheck {
        SpecLoader.load(text: yaml, file: "exp.yaml", baseDirectory: TestPaths.experiments.path, checkData: data)
    }

    private func errors(_ yaml: String, data: Bool = false) -> [String] {
        check(yaml, data: data).errors.map(\.description)
    }

    private let minimal = """
        version: 1
        data: {source: data/iris.csv, target: species}
        models:
          - type: gaussian_nb

        """

    func testDefaults() throws {
        let experiment = try XCTUnwrap(check(minimal).experiment)
        XCTAssertEqual(experiment.name, "experiment")
        XCTAssertEqual(experiment.seed, 0)
        XCTAssertEqual(experiment.split, SplitSpec(testSize: .fraction(0.2), stratify: nil, shuffle: true))
        XCTAssertEqual(experiment.search.cv, 5)
        XCTAssertEqual(experiment.search.strategy, .grid)
        XCTAssertNil(experiment.search.scoring)
        XCTAssertTrue(experiment.metrics.isEmpty)
        XCTAssertEqual(experiment.models.first?.name.value, "gaussian_nb")
        XCTAssertEqual(experiment.data.resolvedPath, TestPaths.experiments.path + "/data/iris.csv")
    }

    func testFullSpecDecodes() throws {
        let yaml = """
            version: 1
            name: full
            seed: 9
            data:
              source: {path: data/titanic.csv, format: csv, delimiter: ",", na_values: ["", "?"]}
              target: survived
              task: classification
              drop: [parch]
              types: {sibsp: categorical}
            split: {test_size: 100, stratify: true, shuffle: true}
            preprocess:
              - impute: {columns: [age], strategy: constant, fill_value: -1}
              - drop_missing: {axis: columns, threshold: 0.5}
              - ordinal: {categories: {pclass: [1st, 2nd, 3rd]}, handle_unknown: use_encoded_value, unknown_value: -1}
              - one_hot: {columns: categorical, handle_unknown: ignore, drop: first}
              - scale: {method: minmax}
            models:
              - name: knn
                type: k_neighbors
                params: {weights: distance}
                grid: {n_neighbors: [3, 5, 7], p: [1, 2]}
            search: {cv: 3, stratified: true, shuffle: false, scoring: roc_auc, strategy: {random: 4}}
            metrics: [accuracy, roc_auc, log_loss]
            """
        let result = check(yaml, data: true)
        XCTAssertEqual(result.errors, [])
        let experiment = try XCTUnwrap(result.experiment)
        XCTAssertEqual(experiment.seed, 9)
        XCTAssertEqual(experiment.data.naValues, ["", "?"])
        XCTAssertEqual(experiment.data.readOptions.columnKinds, ["sibsp": .categorical])
        XCTAssertEqual(experiment.split.testSize, .rows(100))
        XCTAssertEqual(experiment.preprocess.map(\.value.kindName), ["impute", "drop_missing", "ordinal", "one_hot", "scale"])
        guard case .ordinal(let columns, let categories, let rule, let unknown) = experiment.preprocess[2].value else { return XCTFail() }
        XCTAssertEqual(columns, .names([Located("pclass", at: SourceLocation(line: 14, column: 28))]))
        XCTAssertEqual(categories["pclass"], ["1st", "2nd", "3rd"])
        XCTAssertEqual(rule, .useEncodedValue)
        XCTAssertEqual(unknown, -1)
        let model = try XCTUnwrap(experiment.models.first)
        XCTAssertEqual(model.params["weights"]?.value, .string("distance"))
        XCTAssertEqual(model.grid.map(\.name.value), ["n_neighbors", "p"], "grid keys are sorted, as scikit-learn enumerates them")
        XCTAssertEqual(model.gridSize, 6)
        XCTAssertEqual(experiment.search.strategy, .random(4))
        XCTAssertEqual(experiment.search.scoring?.value, .rocAUC)
        XCTAssertEqual(result.task, .classification)
    }

    func testJSONSpecsUseTheSameModel() throws {
        let json = """
            {"version": 1, "data": {"source": "data/iris.csv", "target": "species"},
             "models": [{"type": "logistic_regression", "grid": {"C": [0.5, 2]}}], "metrics": ["accuracy"]}
            """
        let experiment = try XCTUnwrap(check(json).experiment)
        XCTAssertEqual(experiment.models.first?.grid.first?.values.map(\.value), [.double(0.5), .int(2)])
        XCTAssertEqual(errors(#"{"version": 1, "data": {"source": "data/iris.csv", "target": "species"}, "modls": []}"#), [
            "exp.yaml:1:1: error: the spec is missing the required key 'models'",
            "exp.yaml:1:74: error: unknown key 'modls' (did you mean 'models'?)",
        ])
    }

    func testReportsEveryProblemInFileOrder() {
        let found = errors("""
            version: 1
            nme: x
            data: {source: data/iris.csv, target: species, tsk: classification}
            models:
              - type: gausian_nb
            metrics: [acc]
            """)
        XCTAssertEqual(found, [
            "exp.yaml:2:1: error: unknown key 'nme' (did you mean 'name'?)",
            "exp.yaml:3:48: error: unknown key 'tsk' in 'data' (did you mean 'task'?)",
            "exp.yaml:5:11: error: unknown model type 'gausian_nb' (did you mean 'gaussian_nb'?); expected one of 'logistic_regression', 'linear_regression', 'ridge', 'lasso', 'k_neighbors', 'gaussian_nb', 'decision_tree', 'random_forest' or 'hist_gradient_boosting'",
            "exp.yaml:6:11: error: unknown metric 'acc'; expected one of 'accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'precision_macro', 'recall_macro', 'f1_macro', 'precision_weighted', 'recall_weighted', 'f1_weighted', 'roc_auc', 'log_loss', 'rmse', 'mse', 'mae', 'r2' or 'mape'",
        ])
    }

    func testTypeErrorsExplainThemselves() {
        let found = errors("""
            version: "1"
            seed: -3
            data: {source: data/iris.csv, target: species}
            split: {shuffle: yes}
            models:
              - type: random_forest
                params: {n_estimators: 0, max_depth: deep, max_features: sqrtt, bootstrap: "true"}
            """)
        XCTAssertEqual(found, [
            "exp.yaml:1:10: error: version must be an integer, found a string (remove the quotes around '1')",
            "exp.yaml:2:7: error: seed must be at least 0, found -3",
            "exp.yaml:4:18: error: split.shuffle must be true or false, found a string ('yes' is text here, not a boolean: write true or false)",
            "exp.yaml:7:28: error: random_forest.n_estimators must be an integer from 1 to 10000, found 0",
            "exp.yaml:7:42: error: random_forest.max_depth must be an integer from 1 to 1000 or null, found deep",
            "exp.yaml:7:62: error: random_forest.max_features must be 'sqrt' or 'log2', an integer from 1 to 1000000000, a number > 0 and <= 1 or null, found sqrtt (did you mean 'sqrt'?)",
            "exp.yaml:7:80: error: random_forest.bootstrap must be true or false, found true",
        ])
    }

    /// Values near 2^63 validated and then trapped or tried to allocate without bound in a
    /// run: every integer parameter has a documented range, checked at its line.
    func testIntegerParametersHaveRanges() {
        let found = errors("""
            version: 1
            data: {source: d.csv, target: y}
            models:
              - {type: random_forest, params: {n_estimators: 9223372036854775807}}
              - {type: logistic_regression, params: {max_iter: 9223372036854775807}}
              - {type: hist_gradient_boosting, params: {max_leaf_nodes: 9223372036854775807, n_iter_no_change: 1e300}}
            """)
        XCTAssertEqual(found, [
            "exp.yaml:4:50: error: random_forest.n_estimators must be an integer from 1 to 10000, found 9223372036854775807",
            "exp.yaml:5:52: error: logistic_regression.max_iter must be an integer from 1 to 1000000, found 9223372036854775807",
            "exp.yaml:6:61: error: hist_gradient_boosting.max_leaf_nodes must be an integer from 2 to 1000000 or null, found 9223372036854775807",
            "exp.yaml:6:100: error: hist_gradient_boosting.n_iter_no_change must be an integer from 1 to 100000, found 1e+300",
        ])
    }

    /// `categorical: native` needs columns an ordinal step leaves as codes: a spec without an
    /// ordinal step, or with a step on numeric columns after it, is refused where it asks.
    func testNativeCategoricalNeedsOrdinalCodes() {
        let models = """
            models:
              - {name: a, type: hist_gradient_boosting, params: {categorical: native}}
              - {name: b, type: hist_gradient_boosting, grid: {categorical: [numeric, native]}}
              - {name: c, type: hist_gradient_boosting, params: {categorical: numeric}}
            """
        XCTAssertEqual(errors("""
            version: 1
            data: {source: d.csv, target: y}
            preprocess:
              - one_hot: {columns: categorical}
            \(models)
            """), [
            "exp.yaml:6:67: error: hist_gradient_boosting.categorical: native splits the columns an ordinal step encodes, and preprocess has none; encode the categorical columns with ordinal (not one_hot)",
            "exp.yaml:7:75: error: hist_gradient_boosting.categorical: native splits the columns an ordinal step encodes, and preprocess has none; encode the categorical columns with ordinal (not one_hot)",
        ])
        XCTAssertEqual(errors("""
            version: 1
            data: {source: d.csv, target: y}
            preprocess:
              - ordinal: {columns: categorical}
              - drop_missing: {axis: rows}
              - scale: {columns: numeric}
            \(models)
            """).count, 2)
        XCTAssertEqual(errors("""
            version: 1
            data: {source: d.csv, target: y}
            preprocess:
              - scale: {columns: numeric}
              - ordinal: {columns: categorical}
              - drop_missing: {axis: rows}
            \(models)
            """), [])
    }

    /// Columns an ordinal step names and a later step names too reach the model as numbers:
    /// all of them refused, some warned of by name, none once an ordinal step encodes them again.
    func testNativeCategoricalNamesTheCodesALaterStepRewrites() {
        func diagnostics(_ preprocess: String) -> [String] {
            check("""
                version: 1
                data: {source: d.csv, target: y}
                preprocess:
                \(preprocess)
                models:
                  - {name: a, type: hist_gradient_boosting, params: {categorical: native}}
                  - {name: c, type: hist_gradient_boosting, params: {categorical: numeric}}
                """).diagnostics.map(\.description)
        }
        XCTAssertEqual(diagnostics("""
              - ordinal: {columns: [town, size]}
              - scale: {columns: [size, age]}
            """), [
            "exp.yaml:7:67: warning: hist_gradient_boosting.categorical: native splits the columns an ordinal step encodes, and a later step rewrites 'size' (scale, line 5): it is split as numbers, not as categories; move the ordinal step after the scale step to keep it categorical",
        ])
        XCTAssertEqual(diagnostics("""
              - ordinal: {columns: [town, size]}
              - drop_missing: {axis: rows}
              - impute: {columns: [town], strategy: most_frequent}
              - drop_missing: {axis: columns, columns: [size]}
            """), [
            "exp.yaml:9:67: error: hist_gradient_boosting.categorical: native splits the columns an ordinal step encodes, and a later step rewrites every one of them: 'town' (impute, line 6), 'size' (drop_missing, line 7); move the ordinal step after the impute step",
        ])
        // Encoded again by a later ordinal step, or never named by one: nothing to say.
        XCTAssertEqual(diagnostics("""
              - ordinal: {columns: [town, size]}
              - scale: {columns: [size]}
              - ordinal: {columns: [size]}
            """), [])
        XCTAssertEqual(diagnostics("""
              - ordinal: {columns: categorical}
              - scale: {columns: [size]}
            """), [])
    }

    /// A reader error (a control character) is placed by the line breaks the file really uses.
    func testControlCharacterIsLocatedWithAnyLineEnds() {
        for newline in ["\n", "\r\n", "\r"] {
            let text = ["version: 1", "name: x", "models: [{type: ridge}]", "\u{1}"].joined(separator: newline) + newline
            XCTAssertEqual(errors(text), ["exp.yaml:4:1: error: cannot read the spec: control characters are not allowed"], "line ends \(newline.debugDescription)")
        }
    }

    func testDuplicateKeysAndModelNames() {
        // Reported where the key repeats, naming the first: block, flow across lines, quoted, CR line ends.
        XCTAssertEqual(errors("version: 1\nversion: 1\ndata: {source: a.csv, target: t}\nmodels: [{type: ridge}]\n"),
                       ["exp.yaml:2:1: error: duplicate key 'version' in one mapping (first at line 1, column 1); each key may appear once"])
        XCTAssertEqual(errors("version: 1\ndata: {source: a.csv, target: t,\n  source: b.csv}\nmodels: [{type: ridge}]\n").first?.hasPrefix("exp.yaml:3:3: error: duplicate key 'source' in one mapping (first at line 2, column 8)"), true)
        XCTAssertEqual(errors("version: 1\nmodels:\n  - name: a\n    type: ridge\n    # note\n\n    \"name\": b\n").first?.hasPrefix("exp.yaml:7:5: error: duplicate key 'name'"), true)
        XCTAssertEqual(errors("version: 1\rname: a\rname: b\r").first?.hasPrefix("exp.yaml:3:1: error: duplicate key 'name'"), true)
        // A key repeated in a sibling mapping is no duplicate of this one.
        XCTAssertEqual(errors("version: 1\nmodels:\n  - {name: a, type: ridge}\n  - {name: b, type: ridge, name: c}\n").first?.hasPrefix("exp.yaml:4:28: error: duplicate key 'name'"), true)
        XCTAssertEqual(errors("""
            version: 1
            data: {source: data/iris.csv, target: species}
            models:
              - {name: a, type: gaussian_nb}
              - {name: a, type: k_neighbors}
            """), ["exp.yaml:5:12: error: model name 'a' is used twice (first used on line 4); give each model a unique name"])
    }

    func testParamsAndGridMayNotOverlap() {
        XCTAssertEqual(errors("""
            version: 1
            data: {source: data/iris.csv, target: species}
            models:
              - type: logistic_regression
                params: {C: 1}
                grid: {C: [1, 2]}
            """), ["exp.yaml:6:12: error: 'C' is set both in params and in grid; keep it in one place"])
    }

    func testPreprocessShapes() {
        XCTAssertEqual(errors("""
            version: 1
            data: {source: data/iris.csv, target: species}
            preprocess:
              - impute
              - {impute: {}, scale: {}}
              - scale: {columns: numerics}
              - one_hot: {handle_unknown: use_encoded_value}
              - drop_missing: {threshold: 1}
            models: [{type: gaussian_nb}]
            """), [
            "exp.yaml:4:5: error: each preprocess step is a mapping with one key, the step's kind ('impute', 'drop_missing', 'one_hot', 'ordinal' or 'scale'), found a string",
            "exp.yaml:5:5: error: each preprocess step is a mapping with one key, the step's kind ('impute', 'drop_missing', 'one_hot', 'ordinal' or 'scale'), found a mapping",
            "exp.yaml:6:22: error: scale.columns must be 'numeric', 'categorical', 'all' or a list of column names, found 'numerics' (did you mean 'numeric'?)",
            "exp.yaml:7:31: error: one_hot handle_unknown must be 'error' or 'ignore' (use_encoded_value is for ordinal)",
            "exp.yaml:8:31: error: drop_missing.threshold is the share of missing values tolerated, from 0 up to (not including) 1; found 1.0",
        ])
    }

    func testSklearnScorerNamesGetAPointer() {
        XCTAssertEqual(errors("""
            version: 1
            data: {source: data/cars.csv, target: miles_per_gallon}
            models: [{type: ridge}]
            search: {scoring: neg_root_mean_squared_error}
            """), ["exp.yaml:4:19: error: write metric 'neg_root_mean_squared_error' as 'rmse': runner reports every metric in its natural direction"])
    }

    func testExplicitTaskIsCheckedWithoutData() {
        XCTAssertEqual(errors("""
            version: 1
            data: {source: data/iris.csv, target: species, task: regression}
            models: [{type: gaussian_nb}]
            metrics: [accuracy]
            """), [
            "exp.yaml:3:17: error: model 'gaussian_nb': gaussian_nb does not do regression (the spec sets task: regression); for regression use 'linear_regression', 'ridge', 'lasso', 'k_neighbors', 'decision_tree', 'random_forest' or 'hist_gradient_boosting'",
            "exp.yaml:4:11: error: metric 'accuracy' is for classification, but this is a regression experiment (the spec sets task: regression)",
        ])
    }

    func testEmptyAndNonMappingSpecs() {
        XCTAssertEqual(errors(""), ["exp.yaml:1:1: error: the spec is empty"])
        XCTAssertEqual(errors("- a\n- b\n"), ["exp.yaml:1:1: error: the spec must be a mapping, found a list"])
    }

    func testMissingSpecFile() {
        let result = SpecLoader.load(path: "/no/such/exp.yaml")
        XCTAssertEqual(result.errors.map(\.description), ["/no/such/exp.yaml: error: no such file"])
    }
}
