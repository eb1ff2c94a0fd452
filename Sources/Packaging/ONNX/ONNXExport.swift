import Foundation
import Learn
import SwiftProtobuf
import Tabular

/// The whole fitted pipeline as one ONNX graph, computed in double precision so it agrees with
/// runner: imputation, encoding and scaling with standard operators (the classic ai.onnx.ml
/// Imputer and Scaler work in float32), linear models and naive Bayes as matrix arithmetic,
/// trees as ai.onnx.ml TreeEnsemble (opset 5, which takes double thresholds).
///
/// Inputs: one tensor per input column, shape [N, 1]: double for numeric and boolean columns
/// (NaN = missing), string for categorical ones ("" = missing). Outputs: `label` (string [N])
/// and `probabilities` (double [N, classes]) for classification, `prediction` (double [N])
/// for regression.
public enum ONNXExport {
    public static func export(_ pipeline: FittedPipeline, schema: InputSchema, modelType: String, name: String, producerVersion: String) throws(BundleError) -> Data {
        var builder = ONNXGraphBuilder(name: name)
        // Current columns: name → tensor and whether it holds text.
        var columns: [String: (tensor: String, text: Bool)] = [:]
        for field in schema.fields {
            let text = field.kind == .categorical
            builder.input(field.name, elementType: text ? .string : .double, columns: 1)
            columns[field.name] = (field.name, text)
        }
        for step in pipeline.steps {
            try apply(step, to: &columns, &builder)
        }
        var features: [String] = []
        for feature in pipeline.featureNames {
            guard let column = columns[feature] else { throw BundleError.internalError("feature '\(feature)' has no tensor in the ONNX graph") }
            guard !column.text else { throw BundleError.unsupportedExport("column '\(feature)' reaches the model as text; it has no ONNX form") }
            features.append(column.tensor)
        }
        let x = features.count == 1
            ? features[0]
            : builder.node("Concat", features, attributes: [ONNXGraphBuilder.attribute("axis", int: 1)])
        try model(pipeline, x: x, featureCount: features.count, &builder)
        let documentation = "runner pipeline: " + pipeline.steps.map(\.kindName).joined(separator: " → ") + (pipeline.steps.isEmpty ? "" : " → ") + modelType
        do {
            return try builder.model(producerVersion: producerVersion, documentation: documentation).serializedData()
        } catch {
            throw BundleError.internalError("cannot serialize the ONNX model (\(error))")
        }
    }

    // MARK: preprocessing

    private static func apply(_ step: FittedTransformer, to columns: inout [String: (tensor: String, text: Bool)], _ builder: inout ONNXGraphBuilder) throws(BundleError) {
        func column(_ name: String) throws(BundleError) -> (tensor: String, text: Bool) {
            guard let column = columns[name] else { throw BundleError.internalError("column '\(name)' has no tensor in the ONNX graph") }
            return column
        }
        switch step {
        case .impute(let names, let fills):
            for (name, fill) in zip(names, fills) {
                let current = try column(name)
                switch (fill, current.text) {
                case (.number(let value), false):
                    let missing = builder.node("IsNaN", [current.tensor])
                    columns[name] = (builder.node("Where", [missing, builder.constant([value], dims: [1]), current.tensor]), false)
                case (.text(let value), true):
                    let missing = builder.node("Equal", [current.tensor, builder.constant(strings: [""], dims: [1])])
                    columns[name] = (builder.node("Where", [missing, builder.constant(strings: [value], dims: [1]), current.tensor]), true)
                default:
                    throw BundleError.unsupportedExport("the imputer for column '\(name)' does not match the column's type")
                }
            }
        case .dropColumns(let names):
            for name in names { columns[name] = nil }
        case .oneHot(let specs, _):
            // Unknown categories give all zeros whatever the rule: a graph cannot raise an error
            // (runner refuses such rows when the rule is `error`).
            for spec in specs {
                let current = try column(spec.name)
                guard current.text else { throw BundleError.unsupportedExport("one_hot on numeric column '\(spec.name)' has no faithful ONNX form (numbers would need text conversion); export the model without ONNX or encode a categorical column") }
                for (index, category) in spec.categories.enumerated() where index != spec.droppedIndex {
                    let comparand = category == missingCategory ? "" : category
                    let equal = builder.node("Equal", [current.tensor, builder.constant(strings: [comparand], dims: [1])])
                    let encoded = builder.node("Cast", [equal], attributes: [ONNXGraphBuilder.attribute("to", int: Int64(Onnx_TensorProto.DataType.double.rawValue))])
                    columns["\(spec.name)_\(category)"] = (encoded, false)
                }
                columns[spec.name] = nil
            }
        case .ordinal(let names, let orders, let unknownValue):
            for (name, order) in zip(names, orders) {
                let current = try column(name)
                guard current.text else { throw BundleError.unsupportedExport("ordinal on numeric column '\(name)' has no faithful ONNX form; encode a categorical column") }
                var result = builder.constant([unknownValue ?? .nan], dims: [1])
                for (code, category) in order.enumerated() {
                    let equal = builder.node("Equal", [current.tensor, builder.constant(strings: [category], dims: [1])])
                    result = builder.node("Where", [equal, builder.constant([Double(code)], dims: [1]), result])
                }
                let missing = builder.node("Equal", [current.tensor, builder.constant(strings: [""], dims: [1])])
                columns[name] = (builder.node("Where", [missing, builder.constant([.nan], dims: [1]), result]), false)
            }
        case .scale(let names, let offsets, let scales):
            for (index, name) in names.enumerated() {
                let current = try column(name)
                guard !current.text else { throw BundleError.unsupportedExport("scale on text column '\(name)'") }
                // The same two operations, in the same order, as runner: (x - offset) / scale.
                let centered = builder.node("Sub", [current.tensor, builder.constant([offsets[index]], dims: [1])])
                columns[name] = (builder.node("Div", [centered, builder.constant([scales[index]], dims: [1])]), false)
            }
        }
    }

    /// scikit-learn's (and runner's) name for the missing-value category.
    static let missingCategory = CategoryKey.missing

    // MARK: models

    private static func model(_ pipeline: FittedPipeline, x: String, featureCount: Int, _ builder: inout ONNXGraphBuilder) throws(BundleError) {
        let classes = pipeline.classes
        switch pipeline.model {
        case .linear(let model):
            let weights = builder.constant(transposed(model.coefficients), dims: [Int64(model.coefficients.columns), Int64(model.coefficients.rows)])
            let scores = builder.node("Add", [builder.node("MatMul", [x, weights]), builder.constant(model.intercepts, dims: [Int64(model.intercepts.count)])])
            switch model.kind {
            case .regression:
                regressionOutput(scores, &builder)
            case .binaryLogistic:
                try logitOutput(scores, classes: classes, &builder)
            case .multinomial:
                try scoresOutput(scores, classes: classes, &builder)
            }
        case .gaussianNB(let model):
            let classCount = model.priors.count
            var constant = [Double](repeating: 0, count: classCount)
            for c in 0..<classCount {
                var normalizer = 0.0
                for j in 0..<featureCount { normalizer += log(2 * Double.pi * model.variances[c, j]) }
                constant[c] = (model.priors[c] > 0 ? log(model.priors[c]) : -Double.infinity) + -0.5 * normalizer
            }
            let rows = builder.node("Unsqueeze", [x, builder.constant(int64: [1], dims: [1])])
            let difference = builder.node("Sub", [rows, builder.constant(model.means.values, dims: [1, Int64(classCount), Int64(featureCount)])])
            let squared = builder.node("Mul", [difference, difference])
            let scaled = builder.node("Div", [squared, builder.constant(model.variances.values, dims: [1, Int64(classCount), Int64(featureCount)])])
            let sum = builder.node("ReduceSum", [scaled, builder.constant(int64: [2], dims: [1])], attributes: [ONNXGraphBuilder.attribute("keepdims", int: 0)])
            let joint = builder.node("Sub", [builder.constant(constant, dims: [Int64(classCount)]), builder.node("Mul", [builder.constant([0.5], dims: [1]), sum])])
            try scoresOutput(joint, classes: classes, &builder)
        case .trees(let ensemble):
            let outputs = ensemble.trees.first?.outputs ?? 1
            var forest = TreeEnsembleAttributes()
            for tree in ensemble.trees {
                for target in 0..<outputs { forest.add(tree, target: target) }
            }
            let sums = builder.node("TreeEnsemble", [x], domain: "ai.onnx.ml", attributes: forest.attributes(targets: outputs))
            // Runner averages as sum × (1 / trees).
            let averaged = builder.node("Mul", [sums, builder.constant([1 / Double(ensemble.trees.count)], dims: [1])])
            if ensemble.classification {
                let index = builder.node("ArgMax", [averaged], attributes: [ONNXGraphBuilder.attribute("axis", int: 1), ONNXGraphBuilder.attribute("keepdims", int: 0)])
                try classificationOutput(index: index, probabilities: averaged, classes: classes, &builder)
            } else {
                regressionOutput(averaged, &builder)
            }
        case .boosting(let model):
            var forest = TreeEnsembleAttributes()
            for (index, tree) in model.trees.enumerated() { forest.add(tree, target: index % model.outputs) }
            let sums = builder.node("TreeEnsemble", [x], domain: "ai.onnx.ml", attributes: forest.attributes(targets: model.outputs))
            let raw = builder.node("Add", [sums, builder.constant(model.baseline, dims: [Int64(model.outputs)])])
            switch model.link {
            case .identity:
                regressionOutput(raw, &builder)
            case .logistic:
                try logitOutput(raw, classes: classes, &builder)
            case .softmax:
                try scoresOutput(raw, classes: classes, &builder)
            }
        case .kNeighbors:
            throw BundleError.unsupportedExport("k_neighbors has no ONNX export (the model is the training data and a distance search); package it as a runner bundle, or choose another model for ONNX")
        }
    }

    /// Two classes from one logit per row: probabilities [1 - sigmoid, sigmoid], class 1 when
    /// the logit is positive (runner's rule).
    private static func logitOutput(_ logits: String, classes: [String]?, _ builder: inout ONNXGraphBuilder) throws(BundleError) {
        let positive = builder.node("Sigmoid", [logits])
        let negative = builder.node("Sub", [builder.constant([1], dims: [1]), positive])
        let probabilities = builder.node("Concat", [negative, positive], attributes: [ONNXGraphBuilder.attribute("axis", int: 1)])
        let positiveClass = builder.node("Greater", [logits, builder.constant([0], dims: [1])])
        let index = builder.node("Cast", [positiveClass], attributes: [ONNXGraphBuilder.attribute("to", int: Int64(Onnx_TensorProto.DataType.int64.rawValue))])
        try classificationOutput(index: flatten(index, &builder), probabilities: probabilities, classes: classes, &builder)
    }

    /// Labels by the largest score, probabilities by softmax (runner's rule for raw scores).
    private static func scoresOutput(_ scores: String, classes: [String]?, _ builder: inout ONNXGraphBuilder) throws(BundleError) {
        let probabilities = builder.node("Softmax", [scores], attributes: [ONNXGraphBuilder.attribute("axis", int: 1)])
        let index = builder.node("ArgMax", [scores], attributes: [ONNXGraphBuilder.attribute("axis", int: 1), ONNXGraphBuilder.attribute("keepdims", int: 0)])
        try classificationOutput(index: index, probabilities: probabilities, classes: classes, &builder)
    }

    private static func classificationOutput(index: String, probabilities: String, classes: [String]?, _ builder: inout ONNXGraphBuilder) throws(BundleError) {
        guard let classes else { throw BundleError.internalError("a classifier without class labels") }
        let labels = builder.node("Gather", [builder.constant(strings: classes, dims: [Int64(classes.count)]), index], attributes: [ONNXGraphBuilder.attribute("axis", int: 0)])
        builder.output(labels, as: "label", elementType: .string, columns: nil)
        builder.output(probabilities, as: "probabilities", elementType: .double, columns: Int64(classes.count))
    }

    private static func regressionOutput(_ values: String, _ builder: inout ONNXGraphBuilder) {
        builder.output(flatten(values, &builder), as: "prediction", elementType: .double, columns: nil)
    }

    /// [N, 1] → [N].
    private static func flatten(_ tensor: String, _ builder: inout ONNXGraphBuilder) -> String {
        builder.node("Reshape", [tensor, builder.constant(int64: [-1], dims: [1])])
    }

    private static func transposed(_ matrix: Matrix) -> [Double] {
        var values = [Double](repeating: 0, count: matrix.values.count)
        for row in 0..<matrix.rows {
            for column in 0..<matrix.columns { values[column * matrix.rows + row] = matrix[row, column] }
        }
        return values
    }
}

/// TreeEnsemble (ai.onnx.ml opset 5) attributes, gathered tree by tree. Its leaves carry one
/// target each, so a tree with several outputs (class probabilities) is added once per target.
struct TreeEnsembleAttributes {
    var roots: [Int64] = []
    var features: [Int64] = []
    var splits: [Double] = []
    var missingTrue: [Int64] = []
    var trueNodes: [Int64] = []
    var trueLeafs: [Int64] = []
    var falseNodes: [Int64] = []
    var falseLeafs: [Int64] = []
    var leafTargets: [Int64] = []
    var leafWeights: [Double] = []
    /// 0 BRANCH_LEQ, 6 BRANCH_MEMBER.
    var modes: [UInt8] = []
    /// The codes of each BRANCH_MEMBER node in node order, each list followed by NaN.
    var members: [Double] = []

    /// A tree as children lists: `children(node)` is nil for a leaf. `leftCategories(node)`:
    /// for a categorical node, the codes of 0...255 it sends left.
    private mutating func add(root: Int, feature: (Int) -> Int?, threshold: (Int) -> Double, missingLeft: (Int) -> Bool,
                              children: (Int) -> (Int, Int), leafValue: (Int) -> Double, leftCategories: (Int) -> [Int]? = { _ in nil }, target: Int) {
        func leaf(_ node: Int) -> Int64 {
            leafTargets.append(Int64(target))
            leafWeights.append(leafValue(node))
            return Int64(leafWeights.count - 1)
        }
        roots.append(Int64(features.count))
        guard feature(root) != nil else {
            // A tree that is one leaf: a node whose branches both reach it (x <= +inf, NaN too).
            let only = leaf(root)
            features.append(0); splits.append(.infinity); missingTrue.append(1); modes.append(0)
            trueNodes.append(only); trueLeafs.append(1); falseNodes.append(only); falseLeafs.append(1)
            return
        }
        // Breadth-first: internal nodes get consecutive positions; children are patched after.
        var queue = [root]
        var position: [Int: Int] = [:]
        var order: [Int] = []
        while !queue.isEmpty {
            let node = queue.removeFirst()
            guard feature(node) != nil else { continue }
            position[node] = features.count + order.count
            order.append(node)
            let (left, right) = children(node)
            queue += [left, right]
        }
        for node in order {
            var (left, right) = children(node)
            features.append(Int64(feature(node)!))
            if let leftCodes = leftCategories(node) {
                // A member test, whose other branch takes NaN and every value not listed: it
                // lists the side missing values do not go to (runner sends NaN, and values
                // that are no code of 0...255, the missing way; codes above the training
                // categories are on that side already).
                modes.append(6)
                splits.append(0)
                missingTrue.append(0)
                if missingLeft(node) {
                    let leftSet = Set(leftCodes)
                    members += (0..<256).filter { !leftSet.contains($0) }.map(Double.init)
                    swap(&left, &right)
                } else {
                    members += leftCodes.map(Double.init)
                }
                members.append(.nan)
            } else {
                modes.append(0)
                splits.append(threshold(node))
                missingTrue.append(missingLeft(node) ? 1 : 0)
            }
            if let index = position[left] { trueNodes.append(Int64(index)); trueLeafs.append(0) } else { trueNodes.append(leaf(left)); trueLeafs.append(1) }
            if let index = position[right] { falseNodes.append(Int64(index)); falseLeafs.append(0) } else { falseNodes.append(leaf(right)); falseLeafs.append(1) }
        }
    }

    mutating func add(_ tree: DecisionTree, target: Int) {
        add(root: 0, feature: { tree.nodes[$0].feature < 0 ? nil : Int(tree.nodes[$0].feature) }, threshold: { tree.nodes[$0].threshold },
            missingLeft: { _ in false }, children: { (Int(tree.nodes[$0].left), Int(tree.nodes[$0].left) + 1) },
            leafValue: { tree.values[$0 * tree.outputs + target] }, target: target)
    }

    mutating func add(_ tree: BoostingTree, target: Int) {
        add(root: 0, feature: { tree.features[$0] < 0 ? nil : Int(tree.features[$0]) }, threshold: { tree.thresholds[$0] },
            missingLeft: { tree.missingLeft[$0] }, children: { (Int(tree.left[$0]), Int(tree.right[$0])) },
            leafValue: { tree.values[$0] },
            leftCategories: { tree.categorySet.isEmpty || tree.categorySet[$0] < 0 ? nil : tree.leftCategories(ofSet: Int(tree.categorySet[$0])) },
            target: target)
    }

    func attributes(targets: Int) -> [Onnx_AttributeProto] {
        var attributes = [
            ONNXGraphBuilder.attribute("tree_roots", ints: roots),
            ONNXGraphBuilder.attribute("nodes_featureids", ints: features),
            ONNXGraphBuilder.attribute("nodes_splits", doubles: splits),
            ONNXGraphBuilder.attribute("nodes_modes", bytes: modes),
            ONNXGraphBuilder.attribute("nodes_missing_value_tracks_true", ints: missingTrue),
            ONNXGraphBuilder.attribute("nodes_truenodeids", ints: trueNodes),
            ONNXGraphBuilder.attribute("nodes_trueleafs", ints: trueLeafs),
            ONNXGraphBuilder.attribute("nodes_falsenodeids", ints: falseNodes),
            ONNXGraphBuilder.attribute("nodes_falseleafs", ints: falseLeafs),
            ONNXGraphBuilder.attribute("leaf_targetids", ints: leafTargets),
            ONNXGraphBuilder.attribute("leaf_weights", doubles: leafWeights),
            ONNXGraphBuilder.attribute("n_targets", int: Int64(targets)),
            ONNXGraphBuilder.attribute("aggregate_function", int: 1),
            ONNXGraphBuilder.attribute("post_transform", int: 0),
        ]
        if !members.isEmpty { attributes.append(ONNXGraphBuilder.attribute("membership_values", doubles: members)) }
        return attributes
    }
}
