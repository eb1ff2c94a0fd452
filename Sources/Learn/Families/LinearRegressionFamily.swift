extension ModelFamily {
    public static let linearRegression = ModelFamily(
        name: "linear_regression", tasks: [.regression],
        sklearnNames: [.regression: "LinearRegression"],
        params: [ParamSpec("fit_intercept", [.bool], default: .bool(true), "whether to fit an intercept")],
        settings: LinearRegressionConfig.self
    ) { p throws(LearnError) in
        LinearRegressionConfig(fitIntercept: p.flag("fit_intercept"))
    }
}

extension LinearRegressionConfig: ModelSettings {
    public static var family: ModelFamily { .linearRegression }

    public func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel {
        .linear(fit(x, try target.regressionValues(for: "linear_regression")))
    }
}
