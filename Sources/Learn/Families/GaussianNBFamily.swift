extension ModelFamily {
    public static let gaussianNB = ModelFamily(
        name: "gaussian_nb", tasks: [.classification],
        sklearnNames: [.classification: "GaussianNB"],
        params: [ParamSpec("var_smoothing", [.nonNegative], default: .double(1e-9), "share of the largest variance added to all variances")],
        settings: GaussianNBConfig.self
    ) { p throws(LearnError) in
        GaussianNBConfig(varSmoothing: p.number("var_smoothing"))
    }
}

extension GaussianNBConfig: ModelSettings {
    public static var family: ModelFamily { .gaussianNB }

    public func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel {
        guard case .classes(let labels, let classes) = target else { throw LearnError.settings("gaussian_nb does not do regression") }
        return .gaussianNB(fit(x, labels: labels, classCount: classes.count))
    }
}
