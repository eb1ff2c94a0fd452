/// Every combination of hyperparameter values, in scikit-learn's `ParameterGrid` order
/// (names sorted, the last name varying fastest), and seeded sampling without replacement
/// for random search.
public struct ParameterGrid<Value: Sendable>: Sendable {
    public let axes: [(name: String, values: [Value])]

    public init(_ axes: [(name: String, values: [Value])]) {
        self.axes = axes.sorted { $0.name < $1.name }
    }

    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// The combination at `index` (0..<count).
    public subscript(index: Int) -> [(name: String, value: Value)] {
        var remainder = index
        var combination: [(name: String, value: Value)] = []
        for axis in axes.reversed() {
            combination.append((axis.name, axis.values[remainder % axis.values.count]))
            remainder /= axis.values.count
        }
        return combination.reversed()
    }

    public var all: [[(name: String, value: Value)]] { (0..<count).map { self[$0] } }

    /// `limit` distinct combinations drawn with `generator`, in draw order (all of them, in grid
    /// order, when the grid is no larger).
    public func sample(_ limit: Int, using generator: inout SeededGenerator) -> [[(name: String, value: Value)]] {
        guard limit < count else { return all }
        var indices = Array(0..<count)
        for position in 0..<limit {
            indices.swapAt(position, position + generator.integer(below: count - position))
        }
        return indices.prefix(limit).map { self[$0] }
    }
}
