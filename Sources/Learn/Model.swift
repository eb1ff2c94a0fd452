/// A model's configuration: which estimator, with which hyperparameters.
public enum ModelConfig: Sendable, Equatable {
    case logisticRegression(LogisticRegressionConfig)
    case linearRegression(LinearRegressionConfig)
    case ridge(RidgeConfig)
    case lasso(LassoConfig)
    case kNeighbors(KNeighborsConfig)
    case gaussianNB(GaussianNBConfig)

    /// The spec's name for the model type.
    public var typeName: String {
        switch self {
        case .logisticRegression: return "logistic_regression"
        case .linearRegression: return "linear_regression"
        case .ridge: return "ridge"
        case .lasso: return "lasso"
        case .kNeighbors: return "k_neighbors"
        case .gaussianNB: return "gaussian_nb"
        }
    }

    public var tasks: Set<Task> {
        switch self {
        case .logisticRegression, .gaussianNB: return [.classification]
        case .linearRegression, .ridge, .lasso: return [.regression]
        case .kNeighbors: return [.classification, .regression]
        }
    }

    var acceptsMissingValues: Bool { false }

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

    public func predict(_ x: Matrix) -> Prediction {
        switch self {
        case .linear(let model): return model.predict(x)
        case .kNeighbors(let model): return model.predict(x)
        case .gaussianNB(let model): return model.predict(x)
        }
    }
}
