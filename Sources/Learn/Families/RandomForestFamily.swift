extension ModelFamily {
    public static let randomForest = ModelFamily(
        name: "random_forest", tasks: [.classification, .regression],
        sklearnNames: [.classification: "RandomForestClassifier", .regression: "RandomForestRegressor"],
        params: TreeSettings.params(forest: true),
        settings: RandomForestConfig.self
    ) { p throws(LearnError) in
        let maxSamples: SampleCount?
        switch p.value("max_samples") {
        case .int(let count): maxSamples = .count(count)
        case .double(let fraction): maxSamples = .fraction(fraction)
        default: maxSamples = nil
        }
        return RandomForestConfig(trees: p.integer("n_estimators"), settings: TreeSettings(p), bootstrap: p.flag("bootstrap"), maxSamples: maxSamples, seed: p.seed)
    }
}

extension RandomForestConfig: ModelSettings {
    public static var family: ModelFamily { .randomForest }

    public func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel {
        .trees(try fit(x, target, threads: context.threads))
    }
}
