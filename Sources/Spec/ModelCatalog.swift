import Learn
/// Model types a spec may name, with the tasks they solve and the hyperparameters they take.
/// Names and defaults follow scikit-learn's estimators.
public struct ModelType: Sendable {
    public var name: String
    public var tasks: Set<Task>
    /// scikit-learn's estimator for each task, for the docs and messages.
    public var sklearnNames: [Task: String]
    public var params: [ParamSpec]
    /// Whether the model accepts missing values in its input (else they must be imputed).
    public var handlesMissingValues: Bool

    public func param(named name: String) -> ParamSpec? { params.first { $0.name == name } }
}

public enum ModelCatalog {
    public static let all: [ModelType] = [
        ModelType(
            name: "logistic_regression", tasks: [.classification],
            sklearnNames: [.classification: "LogisticRegression"],
            params: [
                ParamSpec("C", [.positive], default: .double(1.0), "inverse of regularization strength"),
                ParamSpec("penalty", [.choice(["l2"]), .null], default: .string("l2"), "regularization: l2 or none (null)"),
                ParamSpec("fit_intercept", [.bool], default: .bool(true), "whether to fit an intercept"),
                ParamSpec("max_iter", [.positiveInt], default: .int(100), "maximum solver iterations"),
                ParamSpec("tol", [.positive], default: .double(1e-4), "stopping tolerance"),
                ParamSpec("class_weight", [.choice(["balanced"]), .null], default: .null, "balanced reweights classes by inverse frequency"),
            ],
            handlesMissingValues: false),
        ModelType(
            name: "linear_regression", tasks: [.regression],
            sklearnNames: [.regression: "LinearRegression"],
            params: [ParamSpec("fit_intercept", [.bool], default: .bool(true), "whether to fit an intercept")],
            handlesMissingValues: false),
        ModelType(
            name: "ridge", tasks: [.regression],
            sklearnNames: [.regression: "Ridge"],
            params: [
                ParamSpec("alpha", [.nonNegative], default: .double(1.0), "L2 regularization strength"),
                ParamSpec("fit_intercept", [.bool], default: .bool(true), "whether to fit an intercept"),
            ],
            handlesMissingValues: false),
        ModelType(
            name: "lasso", tasks: [.regression],
            sklearnNames: [.regression: "Lasso"],
            params: [
                ParamSpec("alpha", [.positive], default: .double(1.0), "L1 regularization strength"),
                ParamSpec("fit_intercept", [.bool], default: .bool(true), "whether to fit an intercept"),
                ParamSpec("max_iter", [.positiveInt], default: .int(1000), "maximum coordinate descent sweeps"),
                ParamSpec("tol", [.positive], default: .double(1e-4), "stopping tolerance on the duality gap"),
                ParamSpec("selection", [.choice(["cyclic", "random"])], default: .string("cyclic"), "coordinate order"),
            ],
            handlesMissingValues: false),
        ModelType(
            name: "k_neighbors", tasks: [.classification, .regression],
            sklearnNames: [.classification: "KNeighborsClassifier", .regression: "KNeighborsRegressor"],
            params: [
                ParamSpec("n_neighbors", [.positiveInt], default: .int(5), "number of neighbours"),
                ParamSpec("weights", [.choice(["uniform", "distance"])], default: .string("uniform"), "neighbour weighting"),
                ParamSpec("p", [.real(lower: 1, upper: .infinity, lowerOpen: false, upperOpen: false)], default: .int(2), "Minkowski power: 1 Manhattan, 2 Euclidean"),
            ],
            handlesMissingValues: false),
        ModelType(
            name: "gaussian_nb", tasks: [.classification],
            sklearnNames: [.classification: "GaussianNB"],
            params: [ParamSpec("var_smoothing", [.nonNegative], default: .double(1e-9), "share of the largest variance added to all variances")],
            handlesMissingValues: false),
        ModelType(
            name: "decision_tree", tasks: [.classification, .regression],
            sklearnNames: [.classification: "DecisionTreeClassifier", .regression: "DecisionTreeRegressor"],
            params: treeParams(forest: false),
            handlesMissingValues: false),
        ModelType(
            name: "random_forest", tasks: [.classification, .regression],
            sklearnNames: [.classification: "RandomForestClassifier", .regression: "RandomForestRegressor"],
            params: treeParams(forest: true),
            handlesMissingValues: false),
        ModelType(
            name: "hist_gradient_boosting", tasks: [.classification, .regression],
            sklearnNames: [.classification: "HistGradientBoostingClassifier", .regression: "HistGradientBoostingRegressor"],
            params: [
                ParamSpec("learning_rate", [.positive], default: .double(0.1), "shrinkage of each tree's contribution"),
                ParamSpec("max_iter", [.positiveInt], default: .int(100), "boosting iterations"),
                ParamSpec("max_leaf_nodes", [.int(2...Int.max), .null], default: .int(31), "leaves per tree"),
                ParamSpec("max_depth", [.positiveInt, .null], default: .null, "depth limit per tree"),
                ParamSpec("min_samples_leaf", [.positiveInt], default: .int(20), "samples per leaf"),
                ParamSpec("l2_regularization", [.nonNegative], default: .double(0), "L2 penalty on leaf values"),
                ParamSpec("max_bins", [.int(2...255)], default: .int(255), "histogram bins per feature (plus one for missing)"),
                ParamSpec("early_stopping", [.choice(["auto"]), .bool], default: .string("auto"), "auto: on above 10,000 training rows"),
                ParamSpec("validation_fraction", [.fraction], default: .double(0.1), "share held out for early stopping"),
                ParamSpec("n_iter_no_change", [.positiveInt], default: .int(10), "patience of early stopping"),
                ParamSpec("tol", [.nonNegative], default: .double(1e-7), "minimum improvement for early stopping"),
            ],
            handlesMissingValues: true),
    ]

    public static func type(named name: String) -> ModelType? { all.first { $0.name == name } }

    public static var names: [String] { all.map(\.name) }

    private static func treeParams(forest: Bool) -> [ParamSpec] {
        var params: [ParamSpec] = []
        if forest {
            params.append(ParamSpec("n_estimators", [.positiveInt], default: .int(100), "number of trees"))
        }
        params += [
            ParamSpec("criterion", [.choice(["gini", "entropy", "log_loss", "squared_error"])], default: .string("gini"), regression: .string("squared_error"), "split quality measure"),
            ParamSpec("max_depth", [.positiveInt, .null], default: .null, "depth limit (null: grow until pure)"),
            ParamSpec("min_samples_split", [.int(2...Int.max)], default: .int(2), "samples needed to split a node"),
            ParamSpec("min_samples_leaf", [.positiveInt], default: .int(1), "samples needed in each leaf"),
            ParamSpec(
                "max_features", [.choice(["sqrt", "log2"]), .positiveInt, .fraction, .null],
                default: forest ? .string("sqrt") : .null, regression: forest ? .double(1.0) : .null,
                "features tried per split"),
        ]
        if forest {
            params.append(ParamSpec("bootstrap", [.bool], default: .bool(true), "sample rows with replacement per tree"))
            params.append(ParamSpec("max_samples", [.positiveInt, .fraction, .null], default: .null, "rows drawn per tree when bootstrapping"))
        }
        params.append(ParamSpec("class_weight", [.choice(["balanced"]), .null], default: .null, "balanced reweights classes by inverse frequency"))
        return params
    }
}
