import Foundation

/// How a tree chooses splits and how large it may grow, scikit-learn's `DecisionTree*`
/// parameters.
public struct TreeSettings: Sendable, Equatable, Codable {
    public enum Criterion: String, Sendable, Equatable, Codable {
        case gini, entropy
        case squaredError = "squared_error"
    }

    public enum MaxFeatures: Sendable, Equatable, Codable {
        case all
        case sqrt
        case log2
        case count(Int)
        case fraction(Double)

        func resolve(_ features: Int) -> Int {
            switch self {
            case .all: return features
            case .sqrt: return max(1, Int(Double(features).squareRoot()))
            case .log2: return max(1, Int(Foundation.log2(Double(features))))
            case .count(let count): return min(features, max(1, count))
            case .fraction(let fraction): return min(features, max(1, Int(fraction * Double(features))))
            }
        }
    }

    public var criterion: Criterion
    public var maxDepth: Int?
    public var minSamplesSplit = 2
    public var minSamplesLeaf = 1
    public var maxFeatures: MaxFeatures = .all
    /// Reweights classes by n / (classes * count).
    public var balanced = false

    public init(criterion: Criterion, maxDepth: Int? = nil, minSamplesSplit: Int = 2, minSamplesLeaf: Int = 1, maxFeatures: MaxFeatures = .all, balanced: Bool = false) {
        self.criterion = criterion
        self.maxDepth = maxDepth
        self.minSamplesSplit = minSamplesSplit
        self.minSamplesLeaf = minSamplesLeaf
        self.maxFeatures = maxFeatures
        self.balanced = balanced
    }
}

/// How many rows each tree of a forest draws: a count, or a share of the training rows.
public enum SampleCount: Sendable, Equatable, Codable {
    case count(Int)
    case fraction(Double)

    /// scikit-learn's rule: a count is capped at the rows there are; a share is rounded down, at least 1.
    func rows(of available: Int) -> Int {
        switch self {
        case .count(let count): return min(available, max(1, count))
        case .fraction(let fraction): return min(available, max(1, Int(fraction * Double(available))))
        }
    }
}
