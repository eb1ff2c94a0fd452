extension ModelFamily {
    public static let lasso = ModelFamily(
        name: "lasso", tasks: [.regression],
        sklearnNames: [.regression: "Lasso"],
        params: [
            ParamSpec("alpha", [.positive], default: .double(1.0), "L1 regularization strength"),
            ParamSpec("fit_intercept", [.bool], default: .bool(true), "whether to fit an intercept"),
            ParamSpec("max_iter", [.int(1...10_000_000)], default: .int(1000), "maximum coordinate descent sweeps"),
            ParamSpec("tol", [.positive], default: .double(1e-4), "stopping tolerance on the duality gap"),
            ParamSpec("selection", [.choice(["cyclic", "random"])], default: .string("cyclic"), "coordinate order"),
        ],
        settings: LassoConfig.self
    ) { p throws(LearnError) in
        LassoConfig(
            alpha: p.number("alpha"), fitIntercept: p.flag("fit_intercept"), maxIterations: p.integer("max_iter"),
            tolerance: p.number("tol"), randomSelection: p.text("selection") == "random", seed: p.seed)
    }
}

extension LassoConfig: ModelSettings {
    public static var family: ModelFamily { .lasso }

    public func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel {
        .linear(fit(x, try target.regressionValues(for: "lasso")))
    }
}
