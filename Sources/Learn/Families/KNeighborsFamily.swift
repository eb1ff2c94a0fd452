extension ModelFamily {
    public static let kNeighbors = ModelFamily(
        name: "k_neighbors", tasks: [.classification, .regression],
        sklearnNames: [.classification: "KNeighborsClassifier", .regression: "KNeighborsRegressor"],
        params: [
            ParamSpec("n_neighbors", [.int(1...ParamForm.rowCountLimit)], default: .int(5), "number of neighbours"),
            ParamSpec("weights", [.choice(["uniform", "distance"])], default: .string("uniform"), "neighbour weighting"),
            ParamSpec("p", [.real(lower: 1, upper: .infinity, lowerOpen: false, upperOpen: false)], default: .int(2), "Minkowski power: 1 Manhattan, 2 Euclidean"),
        ],
        // The fitted model is the training data; ONNX has no operator for a neighbour search.
        exportsToONNX: false,
        settings: KNeighborsConfig.self
    ) { p throws(LearnError) in
        KNeighborsConfig(neighbors: p.integer("n_neighbors"), distanceWeighted: p.text("weights") == "distance", power: p.number("p"))
    }
}

extension KNeighborsConfig: ModelSettings {
    public static var family: ModelFamily { .kNeighbors }

    public func fit(_ x: Matrix, _ target: Target, context: FitContext) throws(LearnError) -> FittedModel {
        .kNeighbors(try fit(x, target))
    }
}
