import Foundation

/// One CART tree, scikit-learn's `DecisionTreeClassifier` / `DecisionTreeRegressor`.
public struct DecisionTreeConfig: Sendable, Equatable, Codable {
    public var settings: TreeSettings
    public var seed: UInt64

    public init(settings: TreeSettings, seed: UInt64 = 0) {
        self.settings = settings
        self.seed = seed
    }

    public func fit(_ x: Matrix, _ target: Target) throws(LearnError) -> TreeEnsemble {
        let data = TreeData(x, target: target)
        let weights = TreeEnsemble.classWeights(target, balanced: settings.balanced)
        var generator = SeededGenerator(seed: seed, stream: "tree")
        var builder = TreeBuilder(data: data, settings: settings, weights: weights, seed: generator.next())
        return TreeEnsemble(trees: [builder.build()], classification: data.classCount > 0, featureCount: x.columns)
    }
}

/// A node of a fitted tree, packed so a prediction touches one cache line per level.
/// Internal nodes send a row to `left` when `x[feature] <= threshold`, else to `left + 1`
/// (children are stored side by side); leaves have feature -1.
public struct TreeNode: Sendable, Equatable, Codable {
    public var threshold: Double
    public var feature: Int32
    public var left: Int32
}

/// A fitted binary tree. Leaf `i` holds `outputs` values at `values[i * outputs]`: class
/// probabilities, or one regression value.
public struct DecisionTree: Sendable, Equatable, Codable {
    public var nodes: [TreeNode]
    public var values: [Double]
    public var outputs: Int
    /// Impurity decrease credited to each feature, weighted by node size (not normalized).
    public var importance: [Double]

    public var nodeCount: Int { nodes.count }

    public init(nodes: [TreeNode], values: [Double], outputs: Int, importance: [Double]) {
        self.nodes = nodes
        self.values = values
        self.outputs = outputs
        self.importance = importance
    }

    private enum CodingKeys: String, CodingKey { case nodes, thresholds, features, left, values, outputs, importance }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let info = decoder.userInfo
        outputs = try container.decode(Int.self, forKey: .outputs)
        values = try container.decodePacked(Double.self, forKey: .values, userInfo: info)
        importance = try container.decodePacked(Double.self, forKey: .importance, userInfo: info)
        if container.contains(.nodes) {
            nodes = try container.decodePacked(TreeNode.self, forKey: .nodes, userInfo: info)
        } else {
            let thresholds = try container.decodePacked(Double.self, forKey: .thresholds, userInfo: info)
            let features = try container.decodePacked(Int32.self, forKey: .features, userInfo: info)
            let left = try container.decodePacked(Int32.self, forKey: .left, userInfo: info)
            guard features.count == thresholds.count, left.count == thresholds.count else {
                throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath, debugDescription: "inconsistent tree"))
            }
            nodes = (0..<thresholds.count).map { TreeNode(threshold: thresholds[$0], feature: features[$0], left: left[$0]) }
        }
        let count = nodes.count
        // A damaged tree must fail here, not send prediction out of bounds.
        guard count > 0, outputs > 0, count.multipliedReportingOverflow(by: outputs) == (values.count, false),
              nodes.allSatisfy({ $0.feature < 0 || ($0.left > 0 && Int($0.left) + 1 < count) }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath, debugDescription: "inconsistent tree"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let info = encoder.userInfo
        // A bundle's binary entry takes the nodes as they are in memory (one copy each way);
        // inline JSON keeps the three arrays earlier runners wrote.
        if let writer = info[BinaryArrayWriter.userInfoKey] as? BinaryArrayWriter,
           nodes.count * MemoryLayout<TreeNode>.stride >= writer.minimumBytes {
            try container.encodePacked(nodes, forKey: .nodes, userInfo: info)
        } else {
            try container.encodePacked(nodes.map(\.threshold), forKey: .thresholds, userInfo: info)
            try container.encodePacked(nodes.map(\.feature), forKey: .features, userInfo: info)
            try container.encodePacked(nodes.map(\.left), forKey: .left, userInfo: info)
        }
        try container.encode(outputs, forKey: .outputs)
        try container.encodePacked(values, forKey: .values, userInfo: info)
        try container.encodePacked(importance, forKey: .importance, userInfo: info)
    }

    public var depth: Int {
        func depth(_ node: Int) -> Int {
            nodes[node].feature < 0 ? 0 : 1 + max(depth(Int(nodes[node].left)), depth(Int(nodes[node].left) + 1))
        }
        return depth(0)
    }
}

/// The learning problem a tree sees: features in column-major rank form (exact splits without
/// re-reading doubles), the targets and per-row weights (bootstrap counts times class weights).
struct TreeData: Sendable {
    let rows: Int
    let featureCount: Int
    /// Per feature, the dense rank of each row's value among the feature's distinct values,
    /// feature after feature: as bytes in `compactRanks` for features with at most
    /// `compactRankLimit` distinct values (one-hot and small-integer columns; a quarter of the
    /// memory, and what the counting pass reads at random), as 32-bit words in `wideRanks` for
    /// the others. `rankOffset[f]`: where feature f's rows start in its array.
    let compactRanks: [UInt8]
    let wideRanks: [UInt32]
    let rankOffset: [Int]
    /// Distinct sorted values per feature, to turn a rank boundary into a threshold.
    let distinct: [[Double]]
    /// `distinct[f].count`, kept apart: the per-node counting reads it without retaining an
    /// inner array that every thread shares.
    let distinctCounts: [Int]
    static let compactRankLimit = 256

    func isCompact(_ feature: Int) -> Bool { distinctCounts[feature] <= Self.compactRankLimit }

    /// Class index per row, or the regression value.
    let labels: [Int]
    let targets: [Double]
    let classCount: Int

    init(_ x: Matrix, target: Target) {
        rows = x.rows
        featureCount = x.columns
        var compact: [UInt8] = [], wide: [UInt32] = [], offsets: [Int] = []
        var distinct: [[Double]] = []
        var ranks = [UInt32](repeating: 0, count: x.rows)
        for feature in 0..<x.columns {
            var order = Array(0..<x.rows)
            order.sort { x[$0, feature] < x[$1, feature] || (x[$0, feature] == x[$1, feature] && $0 < $1) }
            var values: [Double] = []
            for row in order {
                let value = x[row, feature]
                if values.last != value { values.append(value) }
                ranks[row] = UInt32(values.count - 1)
            }
            if values.count <= Self.compactRankLimit {
                offsets.append(compact.count)
                compact += ranks.lazy.map { UInt8(truncatingIfNeeded: $0) }
            } else {
                offsets.append(wide.count)
                wide += ranks
            }
            distinct.append(values)
        }
        compactRanks = compact
        wideRanks = wide
        rankOffset = offsets
        self.distinct = distinct
        distinctCounts = distinct.map(\.count)
        switch target {
        case .classes(let labels, let classes):
            self.labels = labels
            targets = []
            classCount = classes.count
        case .values(let values):
            labels = []
            targets = values
            classCount = 0
        }
    }

    /// scikit-learn's threshold between two adjacent distinct values: their midpoint, or the
    /// lower value when the midpoint rounds up to the higher one.
    func threshold(feature: Int, rank: UInt32) -> Double {
        let low = distinct[feature][Int(rank)], high = distinct[feature][Int(rank) + 1]
        let middle = low / 2 + high / 2
        return middle == high || middle.isInfinite ? low : middle
    }
}
