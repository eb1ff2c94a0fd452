import Tabular
import Foundation

/// One boosting tree: internal nodes send a row left when its value is <= `threshold`, or
/// when it is missing and `missingLeft`; leaves carry the (already shrunk) value.
public struct BoostingTree: Sendable, Equatable, Codable {
    public var features: [Int32]
    public var thresholds: [Double]
    public var missingLeft: [Bool]
    public var left: [Int32]
    public var right: [Int32]
    public var values: [Double]

    private enum CodingKeys: String, CodingKey { case features, thresholds, missingLeft, left, right, values }

    public init(features: [Int32], thresholds: [Double], missingLeft: [Bool], left: [Int32], right: [Int32], values: [Double]) {
        self.features = features
        self.thresholds = thresholds
        self.missingLeft = missingLeft
        self.left = left
        self.right = right
        self.values = values
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        features = try container.decodePacked(Int32.self, forKey: .features, userInfo: decoder.userInfo)
        thresholds = try container.decodePacked(Double.self, forKey: .thresholds, userInfo: decoder.userInfo)
        missingLeft = try container.decodePacked(UInt8.self, forKey: .missingLeft, userInfo: decoder.userInfo).map { $0 != 0 }
        left = try container.decodePacked(Int32.self, forKey: .left, userInfo: decoder.userInfo)
        right = try container.decodePacked(Int32.self, forKey: .right, userInfo: decoder.userInfo)
        values = try container.decodePacked(Double.self, forKey: .values, userInfo: decoder.userInfo)
        let count = features.count
        guard count > 0, [thresholds.count, missingLeft.count, left.count, right.count, values.count].allSatisfy({ $0 == count }),
              (0..<count).allSatisfy({ features[$0] < 0 || (Int(left[$0]) > $0 && Int(left[$0]) < count && Int(right[$0]) > $0 && Int(right[$0]) < count) }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath, debugDescription: "inconsistent boosting tree"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodePacked(features, forKey: .features, userInfo: encoder.userInfo)
        try container.encodePacked(thresholds, forKey: .thresholds, userInfo: encoder.userInfo)
        try container.encodePacked(missingLeft.map { UInt8($0 ? 1 : 0) }, forKey: .missingLeft, userInfo: encoder.userInfo)
        try container.encodePacked(left, forKey: .left, userInfo: encoder.userInfo)
        try container.encodePacked(right, forKey: .right, userInfo: encoder.userInfo)
        try container.encodePacked(values, forKey: .values, userInfo: encoder.userInfo)
    }

    @inline(__always)
    func value(_ row: UnsafePointer<Double>) -> Double {
        var node = 0
        while features[node] >= 0 {
            let x = row[Int(features[node])]
            let goLeft = x.isNaN ? missingLeft[node] : x <= thresholds[node]
            node = Int(goLeft ? left[node] : right[node])
        }
        return values[node]
    }
}

/// A fitted gradient-boosting model: baseline raw scores plus, per iteration, one tree per
/// output; raw scores become values, or class probabilities through the link.
public struct BoostedTrees: Sendable, Equatable, Codable {
    public enum Link: String, Sendable, Equatable, Codable { case identity, logistic, softmax }

    public var baseline: [Double]
    /// trees[iteration * outputs + output].
    public var trees: [BoostingTree]
    public var link: Link
    public var featureCount: Int
    /// Gain credited to each feature over all splits.
    public var gains: [Double]

    public var outputs: Int { baseline.count }
    public var iterations: Int { trees.count / max(1, outputs) }

    public var featureImportances: [Double] {
        let total = gains.reduce(0, +)
        return total > 0 ? gains.map { $0 / total } : gains
    }

    func rawScores(_ x: Matrix, threads: Int) -> [Double] {
        let outputs = self.outputs
        // Few large row blocks: each block walks every tree once, so trees stay in cache.
        // (Each row still sums trees in tree order, whatever the blocks.)
        let chunk = max(256, (x.rows + max(1, threads) - 1) / max(1, threads))
        let chunks = (x.rows + chunk - 1) / chunk
        let parts = ParallelWork.map(count: chunks, threads: threads) { part -> [Double] in
            let lower = part * chunk, upper = min(x.rows, lower + chunk)
            var scores = [Double](repeating: 0, count: (upper - lower) * outputs)
            for row in lower..<upper {
                for output in 0..<outputs { scores[(row - lower) * outputs + output] = baseline[output] }
            }
            x.values.withUnsafeBufferPointer { values in
                for (index, tree) in trees.enumerated() {
                    let output = index % outputs
                    for row in lower..<upper {
                        scores[(row - lower) * outputs + output] += tree.value(values.baseAddress! + row * x.columns)
                    }
                }
            }
            return scores
        }
        return parts.flatMap { $0 }
    }

    public func predict(_ x: Matrix, threads: Int = 1) -> Prediction {
        let raw = rawScores(x, threads: threads)
        switch link {
        case .identity:
            return .values(raw)
        case .logistic:
            return Prediction.fromLogits(raw)
        case .softmax:
            return Prediction.fromScores(Matrix(rows: x.rows, columns: outputs, values: raw))
        }
    }
}
