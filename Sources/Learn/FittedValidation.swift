import Tabular

/// Structural checks of decoded fitted state. A pipeline read from a bundle is untrusted
/// input: a damaged or hand-edited one (digests recomputed) must be refused before anything
/// indexes with it, since predicting with a feature index out of range reads past the data
/// and a tree node pointing back at an ancestor never finishes. Each check names the first
/// problem found; nil means the state is safe to predict with.
extension FittedPipeline {
    public var structuralProblem: String? { structuralProblem(threads: 1) }

    /// The same check, a forest's trees checked on `threads` threads (the first problem in
    /// tree order is reported, whatever the thread count).
    public func structuralProblem(threads: Int) -> String? {
        if let name = firstDuplicate(inputColumns) { return "input column '\(name)' is listed twice" }
        if let name = firstDuplicate(featureNames) { return "feature '\(name)' is listed twice" }
        if let classes {
            guard classes.count >= 2 else { return "a classifier needs at least two classes, and this one lists \(classes.count)" }
            if let name = firstDuplicate(classes) { return "class '\(name)' is listed twice" }
        }
        for (index, step) in steps.enumerated() {
            if let problem = step.structuralProblem { return "preprocessing step \(index + 1) (\(step.kindName)): \(problem)" }
        }
        if let problem = model.structuralProblem(features: featureNames.count, classes: classes?.count, threads: threads) { return "model: \(problem)" }
        return nil
    }
}

extension FittedTransformer {
    var structuralProblem: String? {
        switch self {
        case .impute(let columns, let fills):
            guard columns.count == fills.count else { return "\(columns.count) columns but \(fills.count) fill values" }
            if let name = firstDuplicate(columns) { return "column '\(name)' is listed twice" }
            for case .number(let value) in fills where !value.isFinite { return "a fill value is not a finite number" }
        case .dropColumns(let columns):
            if let name = firstDuplicate(columns) { return "column '\(name)' is listed twice" }
        case .oneHot(let columns, _):
            if let name = firstDuplicate(columns.map(\.name)) { return "column '\(name)' is listed twice" }
            for column in columns {
                if let category = firstDuplicate(column.categories) { return "column '\(column.name)' lists category '\(category)' twice" }
                if let dropped = column.droppedIndex, !column.categories.indices.contains(dropped) {
                    return "column '\(column.name)' drops category \(dropped + 1) of \(column.categories.count)"
                }
            }
        case .ordinal(let columns, let categories, let unknownValue):
            guard columns.count == categories.count else { return "\(columns.count) columns but \(categories.count) category lists" }
            if let name = firstDuplicate(columns) { return "column '\(name)' is listed twice" }
            for (name, list) in zip(columns, categories) {
                if let category = firstDuplicate(list) { return "column '\(name)' lists category '\(category)' twice" }
            }
            if let unknownValue, unknownValue.isInfinite { return "unknown_value is infinite" }
        case .scale(let columns, let offsets, let scales):
            guard columns.count == offsets.count, columns.count == scales.count else {
                return "\(columns.count) columns but \(offsets.count) offsets and \(scales.count) scales"
            }
            if let name = firstDuplicate(columns) { return "column '\(name)' is listed twice" }
            guard offsets.allSatisfy(\.isFinite), scales.allSatisfy({ $0.isFinite && $0 != 0 }) else { return "an offset or scale is not a finite number (or a scale is 0)" }
        }
        return nil
    }
}

extension FittedModel {
    /// `features`: the columns the model receives; `classes`: the class count of a classifier.
    public func structuralProblem(features: Int, classes: Int?, threads: Int = 1) -> String? {
        switch self {
        case .linear(let model):
            let outputs = model.coefficients.rows
            guard model.coefficients.columns == features else { return "\(model.coefficients.columns) coefficients per output for \(features) features" }
            guard model.intercepts.count == outputs else { return "\(model.intercepts.count) intercepts for \(outputs) outputs" }
            switch model.kind {
            case .regression: guard outputs == 1, classes == nil else { return "a regression model with \(outputs) outputs" }
            case .binaryLogistic: guard outputs == 1, classes == 2 else { return "a binary logistic model needs one output and two classes" }
            case .multinomial: guard outputs == classes else { return "\(outputs) outputs for \(classes ?? 0) classes" }
            }
            guard model.coefficients.values.allSatisfy(\.isFinite), model.intercepts.allSatisfy(\.isFinite) else { return "a coefficient is not a finite number" }
        case .gaussianNB(let model):
            guard let classes, model.priors.count == classes else { return "\(model.priors.count) class priors for \(classes ?? 0) classes" }
            for matrix in [model.means, model.variances] where matrix.rows != classes || matrix.columns != features {
                return "a \(matrix.rows) x \(matrix.columns) parameter matrix for \(classes) classes and \(features) features"
            }
            guard model.means.values.allSatisfy(\.isFinite), model.variances.values.allSatisfy({ $0.isFinite && $0 >= 0 }),
                  model.priors.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return "a mean, variance or prior is out of range" }
        case .kNeighbors(let model):
            guard model.training.columns == features else { return "training rows have \(model.training.columns) values for \(features) features" }
            guard model.target.count == model.training.rows else { return "\(model.target.count) targets for \(model.training.rows) training rows" }
            guard (1...max(1, model.training.rows)).contains(model.config.neighbors) else { return "n_neighbors \(model.config.neighbors) for \(model.training.rows) training rows" }
            guard model.config.power.isFinite, model.config.power >= 1 else { return "the Minkowski power must be a finite number >= 1" }
            guard model.training.values.allSatisfy(\.isFinite) else { return "a training value is not a finite number" }
            switch model.target {
            case .classes(let labels, let names):
                guard names.count == classes, labels.allSatisfy({ names.indices.contains($0) }) else { return "a training label is not one of the classes" }
            case .values(let values):
                guard classes == nil, values.allSatisfy(\.isFinite) else { return "a training target is not a finite number" }
            }
        case .trees(let ensemble):
            guard ensemble.featureCount == features else { return "trees fitted on \(ensemble.featureCount) features, given \(features)" }
            guard ensemble.classification == (classes != nil), !ensemble.trees.isEmpty else { return "no trees, or trees of the wrong task" }
            let outputs = classes ?? 1, trees = ensemble.trees
            let problems = ParallelWork.map(count: trees.count, threads: threads) { trees[$0].structuralProblem(features: features, outputs: outputs) }
            if let index = problems.firstIndex(where: { $0 != nil }) { return "tree \(index + 1): \(problems[index]!)" }
        case .boosting(let model):
            guard model.featureCount == features else { return "trees fitted on \(model.featureCount) features, given \(features)" }
            let outputs: Int
            switch model.link {
            case .identity: outputs = 1; guard classes == nil else { return "a regression link for a classifier" }
            case .logistic: outputs = 1; guard classes == 2 else { return "a logistic link needs two classes" }
            case .softmax: outputs = classes ?? 0; guard outputs > 2 else { return "a softmax link needs more than two classes" }
            }
            guard model.baseline.count == outputs, model.baseline.allSatisfy(\.isFinite) else { return "\(model.baseline.count) baseline scores for \(outputs) outputs" }
            guard model.trees.count % outputs == 0 else { return "\(model.trees.count) trees is not a whole number of iterations of \(outputs)" }
            for (index, tree) in model.trees.enumerated() {
                if let problem = tree.structuralProblem(features: features) { return "tree \(index + 1): \(problem)" }
            }
        }
        return nil
    }
}

extension DecisionTree {
    /// A tree: every internal node's two children come after it and every node but the root
    /// has exactly one parent (so a walk from the root ends, and visits each node once).
    func structuralProblem(features: Int, outputs expected: Int) -> String? {
        guard outputs == expected else { return "\(outputs) values per leaf for \(expected) outputs" }
        var parents = [UInt8](repeating: 0, count: nodes.count)
        for (index, node) in nodes.enumerated() where node.feature >= 0 {
            guard Int(node.feature) < features else { return "node \(index) splits on feature \(node.feature), and there are \(features)" }
            let left = Int(node.left)
            guard left > index, left + 1 < nodes.count else { return "node \(index) points back or past the end" }
            parents[left] &+= 1
            parents[left + 1] &+= 1
        }
        if parents.first != 0 || parents.dropFirst().contains(where: { $0 != 1 }) { return "a node is shared, or unreachable from the root" }
        guard values.allSatisfy(\.isFinite) else { return "a leaf value is not a finite number" }
        return nil
    }
}

extension BoostingTree {
    func structuralProblem(features count: Int) -> String? {
        var parents = [UInt8](repeating: 0, count: features.count)
        for index in features.indices where features[index] >= 0 {
            guard Int(features[index]) < count else { return "node \(index) splits on feature \(features[index]), and there are \(count)" }
            let left = Int(left[index]), right = Int(right[index])
            guard left > index, right > index, left < features.count, right < features.count, left != right else { return "node \(index) points back or past the end" }
            parents[left] &+= 1
            parents[right] &+= 1
        }
        if parents.first != 0 || parents.dropFirst().contains(where: { $0 != 1 }) { return "a node is shared, or unreachable from the root" }
        for index in features.indices where features[index] < 0 && !values[index].isFinite { return "a leaf value is not a finite number" }
        if !categorySet.isEmpty {
            let sets = categorySets.count / Self.categorySetBytes
            guard categorySet.count == features.count, categorySets.count % Self.categorySetBytes == 0 else { return "category sets do not match the nodes" }
            var used = [Bool](repeating: false, count: sets)
            for index in features.indices where categorySet[index] >= 0 {
                let set = Int(categorySet[index])
                guard features[index] >= 0, set < sets, !used[set] else { return "node \(index) names category set \(set), which is missing, shared, or on a leaf" }
                used[set] = true
            }
            guard !used.contains(false) else { return "a category set no node uses" }
        }
        return nil
    }
}

/// The first value that appears twice, if any.
func firstDuplicate(_ values: [String]) -> String? {
    var seen = Set<String>()
    for value in values where !seen.insert(value).inserted { return value }
    return nil
}
