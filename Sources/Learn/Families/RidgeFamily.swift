extension ModelFamily {
    public static let ridge = ModelFamily(
        name: "ridge", tasks: [.regression],
        sklearnNames: [.regression: "Ridge"],
        params: [
            ParamSpec("alpha", [.nonNegative], default: .double(1.0), "L2 regularization strength"),
            ParamSpec("fit_intercept", [.bool], default: .bool(true), "whether to fit an intercept"),
        ],
        settings: RidgeConfig.self
    ) { p throws(LearnError) in
        RidgeConfig(alpha: p.number("alpha"), fitIntercept: p.flag("fit_intercept"))
    }
}

extension RidgeConfig: ModelSettings {
    public static var family: ModelFamily { .ridge }

    public func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel {
        .linear(fit(x, try target.regressionValues(for: "ridge")))
    }
}
