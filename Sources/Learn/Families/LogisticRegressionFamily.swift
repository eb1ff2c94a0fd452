extension ModelFamily {
    public static let logisticRegression = ModelFamily(
        name: "logistic_regression", tasks: [.classification],
        sklearnNames: [.classification: "LogisticRegression"],
        params: [
            ParamSpec("C", [.positive], default: .double(1.0), "inverse of regularization strength"),
            ParamSpec("penalty", [.choice(["l2"]), .null], default: .string("l2"), "regularization: l2 or none (null)"),
            ParamSpec("fit_intercept", [.bool], default: .bool(true), "whether to fit an intercept"),
            ParamSpec("max_iter", [.int(1...1_000_000)], default: .int(100), "maximum solver iterations"),
            ParamSpec("tol", [.positive], default: .double(1e-4), "stopping tolerance"),
            ParamSpec("class_weight", [.choice(["balanced"]), .null], default: .null, "balanced reweights classes by inverse frequency"),
        ],
        settings: LogisticRegressionConfig.self
    ) { p throws(LearnError) in
        LogisticRegressionConfig(
            c: p.number("C"), penalized: p.value("penalty") != .null, fitIntercept: p.flag("fit_intercept"),
            maxIterations: p.integer("max_iter"), tolerance: p.number("tol"), balanced: p.text("class_weight") == "balanced")
    }
}

extension LogisticRegressionConfig: ModelSettings {
    public static var family: ModelFamily { .logisticRegression }

    public func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel {
        guard case .classes(let labels, let classes) = target else { throw LearnError.settings("logistic_regression does not do regression") }
        return .linear(fit(x, labels: labels, classCount: classes.count))
    }
}
