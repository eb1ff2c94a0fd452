extension ModelFamily {
    public static let decisionTree = ModelFamily(
        name: "decision_tree", tasks: [.classification, .regression],
        sklearnNames: [.classification: "DecisionTreeClassifier", .regression: "DecisionTreeRegressor"],
        params: TreeSettings.params(forest: false),
        settings: DecisionTreeConfig.self
    ) { p throws(LearnError) in
        DecisionTreeConfig(settings: TreeSettings(p), seed: p.seed)
    }
}

extension DecisionTreeConfig: ModelSettings {
    public static var family: ModelFamily { .decisionTree }

    public func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel {
        .trees(try fit(x, target))
    }
}

extension TreeSettings {
    /// The parameters decision trees and forests share (scikit-learn's names and defaults;
    /// a forest's max_features default differs).
    static func params(forest: Bool) -> [ParamSpec] {
        var params: [ParamSpec] = []
        if forest {
            params.append(ParamSpec("n_estimators", [.int(1...10_000)], default: .int(100), "number of trees"))
        }
        params += [
            ParamSpec("criterion", [.choice(["gini", "entropy", "log_loss", "squared_error"])], default: .string("gini"), regression: .string("squared_error"), "split quality measure"),
            ParamSpec("max_depth", [.int(1...1_000), .null], default: .null, "depth limit (null: grow until pure)"),
            ParamSpec("min_samples_split", [.int(2...ParamForm.rowCountLimit)], default: .int(2), "samples needed to split a node"),
            ParamSpec("min_samples_leaf", [.int(1...ParamForm.rowCountLimit)], default: .int(1), "samples needed in each leaf"),
            ParamSpec(
                "max_features", [.choice(["sqrt", "log2"]), .int(1...ParamForm.rowCountLimit), .fraction, .null],
                default: forest ? .string("sqrt") : .null, regression: forest ? .double(1.0) : .null,
                "features tried per split"),
        ]
        if forest {
            params.append(ParamSpec("bootstrap", [.bool], default: .bool(true), "sample rows with replacement per tree"))
            params.append(ParamSpec("max_samples", [.int(1...ParamForm.rowCountLimit), .fraction, .null], default: .null, "rows drawn per tree when bootstrapping"))
        }
        params.append(ParamSpec("class_weight", [.choice(["balanced"]), .null], default: .null, "balanced reweights classes by inverse frequency"))
        return params
    }

    /// Settings from a tree family's parameters.
    init(_ p: ModelParameters) {
        let criterion: Criterion
        switch p.text("criterion") {
        case "entropy", "log_loss": criterion = .entropy
        case "squared_error": criterion = .squaredError
        default: criterion = .gini
        }
        let maxFeatures: MaxFeatures
        switch p.value("max_features") {
        case .string("sqrt"): maxFeatures = .sqrt
        case .string("log2"): maxFeatures = .log2
        case .int(let count): maxFeatures = .count(count)
        case .double(let fraction): maxFeatures = .fraction(fraction)
        default: maxFeatures = .all
        }
        self.init(
            criterion: criterion, maxDepth: p.optionalInteger("max_depth"), minSamplesSplit: p.integer("min_samples_split"),
            minSamplesLeaf: p.integer("min_samples_leaf"), maxFeatures: maxFeatures, balanced: p.text("class_weight") == "balanced")
    }
}
