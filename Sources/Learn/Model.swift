/// A model's configuration: which estimator, with which hyperparameters.
public enum ModelConfig: Sendable, Equatable, Codable {
    case logisticRegression(LogisticRegressionConfig)
    case linearRegression(LinearRegressionConfig)
    case ridge(RidgeConfig)
    case lasso(LassoConfig)
    case kNeighbors(KNeighborsConfig)
    case gaussianNB(GaussianNBConfig)
    case decisionTree(DecisionTreeConfig)
    case randomForest(RandomForestConfig)
    case histGradientBoosting(HistGradientBoostingConfig)

    /// The spec's name for the model type.
    public var typeName: String {
        switch self {
        case .logisticRegression: return "logistic_regression"
        case .linearRegression: return "linear_regression"
        case .ridge: return "ridge"
        case .lasso: return "lasso"
        case .kNeighbors: return "k_neighbors"
        case .gaussianNB: return "gaussian_nb"
        case .decisionTree: return "decision_tree"
        case .randomForest: return "random_forest"
        case .histGradientBoosting: return "hist_gradient_boosting"
        }
    }

    public var tasks: Set<Task> {
        switch self {
        case .logisticRegression, .gaussianNB: return [.classification]
        case .linearRegression, .ridge, .lasso: return [.regression]
        case .kNeighbors, .decisionTree, .randomForest, .histGradientBoosting: return [.classification, .regression]
        }
    }

    var acceptsMissingValues: Bool {
        if case .histGradientBoosting = self { return true }
        return false
    }

    /// The same model with its own parallelism set (searches run candidates in parallel and
    /// keep each fit single-threaded).
    public func withThreads(_ threads: Int) -> ModelConfig {
        switch self {
        case .kNeighbors(var config): config.threads = threads; return .kNeighbors(config)
        case .randomForest(var config): config.threads = threads; return .randomForest(config)
        case .histGradientBoosting(var config): config.threads = threads; return .histGradientBoosting(config)
        default: return self
        }
    }

    public func fit(_ x: Matrix, _ target: Target) throws(LearnError) -> FittedModel {
        guard tasks.contains(target.task) else {
            throw LearnError("\(typeName) does not do \(target.task.rawValue)")
        }
        switch (self, target) {
        case (.logisticRegression(let config), .classes(let labels, let classes)):
            return .linear(config.fit(x, labels: labels, classCount: classes.count))
        case (.gaussianNB(let config), .classes(let labels, let classes)):
            return .gaussianNB(config.fit(x, labels: labels, classCount: classes.count))
        case (.linearRegression(let config), .values(let values)):
            return .linear(config.fit(x, values))
        case (.ridge(let config), .values(let values)):
            return .linear(config.fit(x, values))
        case (.lasso(let config), .values(let values)):
            return .linear(config.fit(x, values))
        case (.kNeighbors(let config), _):
            return .kNeighbors(try config.fit(x, target))
        case (.decisionTree(let config), _):
            return .trees(try config.fit(x, target))
        case (.randomForest(let config), _):
            return .trees(try config.fit(x, target))
        case (.histGradientBoosting(let config), _):
            return .boosting(try config.fit(x, target))
        default:
            throw LearnError("\(typeName) does not do \(target.task.rawValue)")
        }
    }
}

/// A fitted model's learned state, as plain data.
public enum FittedModel: Sendable, Equatable, Codable {
    case linear(LinearModel)
    case kNeighbors(KNeighborsModel)
    case gaussianNB(GaussianNBModel)
    case trees(TreeEnsemble)
    case boosting(BoostedTrees)

    /// `threads` splits the rows of large batches across threads (same results).
    public func predict(_ x: Matrix, threads: Int = 1) -> Prediction {
        switch self {
        case .linear(let model): return model.predict(x)
        case .kNeighbors(let model): return model.predict(x, threads: threads)
        case .gaussianNB(let model): return model.predict(x)
        case .trees(let model): return model.predict(x, threads: threads)
        case .boosting(let model): return model.predict(x, threads: threads)
        }
    }

    /// Feature importances, for models that have them (trees).
    public var featureImportances: [Double]? {
        switch self {
        case .trees(let model): return model.featureImportances
        case .boosting(let model): return model.featureImportances
        default: return nil
        }
    }
}
