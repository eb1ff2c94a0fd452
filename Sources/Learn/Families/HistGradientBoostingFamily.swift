extension ModelFamily {
    public static let histGradientBoosting = ModelFamily(
        name: "hist_gradient_boosting", tasks: [.classification, .regression],
        sklearnNames: [.classification: "HistGradientBoostingClassifier", .regression: "HistGradientBoostingRegressor"],
        params: [
            ParamSpec("learning_rate", [.positive], default: .double(0.1), "shrinkage of each tree's contribution"),
            ParamSpec("max_iter", [.int(1...100_000)], default: .int(100), "boosting iterations"),
            ParamSpec("max_leaf_nodes", [.int(2...1_000_000), .null], default: .int(31), "leaves per tree"),
            ParamSpec("max_depth", [.int(1...1_000), .null], default: .null, "depth limit per tree"),
            ParamSpec("min_samples_leaf", [.int(1...ParamForm.rowCountLimit)], default: .int(20), "samples per leaf"),
            ParamSpec("l2_regularization", [.nonNegative], default: .double(0), "L2 penalty on leaf values"),
            ParamSpec("max_bins", [.int(2...255)], default: .int(255), "histogram bins per feature (plus one for missing)"),
            ParamSpec("early_stopping", [.choice(["auto"]), .bool], default: .string("auto"), "auto: on above 10,000 training rows"),
            ParamSpec("validation_fraction", [.fraction], default: .double(0.1), "share held out for early stopping"),
            ParamSpec("n_iter_no_change", [.int(1...100_000)], default: .int(10), "patience of early stopping"),
            ParamSpec("tol", [.nonNegative], default: .double(1e-7), "minimum improvement for early stopping"),
            ParamSpec("categorical", [.choice(["numeric", "native"])], default: .string("numeric"),
                      "native: columns an ordinal step encodes split on sets of categories (scikit-learn's categorical_features)"),
        ],
        handlesMissingValues: true,
        settings: HistGradientBoostingConfig.self
    ) { p throws(LearnError) in
        let stopping: HistGradientBoostingConfig.EarlyStopping
        switch p.value("early_stopping") {
        case .bool(true): stopping = .on
        case .bool(false): stopping = .off
        default: stopping = .auto
        }
        return HistGradientBoostingConfig(
            learningRate: p.number("learning_rate"), maxIterations: p.integer("max_iter"),
            maxLeafNodes: p.optionalInteger("max_leaf_nodes"), maxDepth: p.optionalInteger("max_depth"),
            minSamplesLeaf: p.integer("min_samples_leaf"), l2Regularization: p.number("l2_regularization"),
            maxBins: p.integer("max_bins"), earlyStopping: stopping, validationFraction: p.number("validation_fraction"),
            iterationsWithoutChange: p.integer("n_iter_no_change"), tolerance: p.number("tol"), seed: p.seed,
            categorical: p.text("categorical") == "native" ? .native : nil)
    }
}

extension HistGradientBoostingConfig: ModelSettings {
    public static var family: ModelFamily { .histGradientBoosting }

    public func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel {
        .boosting(try fit(x, target, threads: context.threads))
    }

    public func fit(_ x: Matrix, _ target: Target, columns: ColumnKinds, context: FitContext) throws(LearnError) -> FittedModel {
        .boosting(try fit(x, target, threads: context.threads, columns: columns))
    }
}
