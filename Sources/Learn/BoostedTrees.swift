import Tabular
import Foundation

/// One boosting tree: internal nodes send a row left when its value is <= `threshold`, or
/// when it is missing and `missingLeft`; leaves carry the (already shrunk) value. A node that
/// splits a categorical feature natively (its values are category codes) sends a row left
/// when the code's bit is set in the node's category set; a missing value, or a value that is
/// no code of 0...255, follows `missingLeft` (codes above the training categories have their
/// bit equal to `missingLeft`, so a category unseen in training goes where missing ones go).
public struct BoostingTree: Sendable, Equatable, Codable {
    public var features: [Int32]
    public var thresholds: [Double]
    public var missingLeft: [Bool]
    public var left: [Int32]
    public var right: [Int32]
    public var values: [Double]
    /// Per node, which category set it tests (-1: a threshold); empty when no node of the
    /// tree is categorical, so numeric trees are stored as before.
    public var categorySet: [Int32]
    /// `BoostingTree.categorySetBytes` bytes per set: bit `code` of a set is byte `code / 8`,
    /// bit `code % 8`.
    public var categorySets: [UInt8]

    /// 256 bits: a code for each of a byte's values (native categorical features have at most 255 categories).
    public static let categorySetBytes = 32

    private enum CodingKeys: String, CodingKey { case features, thresholds, missingLeft, left, right, values, categorySet, categorySets }

    public init(features: [Int32], thresholds: [Double], missingLeft: [Bool], left: [Int32], right: [Int32], values: [Double],
                categorySet: [Int32] = [], categorySets: [UInt8] = []) {
        self.features = features
        self.thresholds = thresholds
        self.missingLeft = missingLeft
        self.left = left
        self.right = right
        self.values = values
        self.categorySet = categorySet
        self.categorySets = categorySets
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        features = try container.decodePacked(Int32.self, forKey: .features, userInfo: decoder.userInfo)
        thresholds = try container.decodePacked(Double.self, forKey: .thresholds, userInfo: decoder.userInfo)
        missingLeft = try container.decodePacked(UInt8.self, forKey: .missingLeft, userInfo: decoder.userInfo).map { $0 != 0 }
        left = try container.decodePacked(Int32.self, forKey: .left, userInfo: decoder.userInfo)
        right = try container.decodePacked(Int32.self, forKey: .right, userInfo: decoder.userInfo)
        values = try container.decodePacked(Double.self, forKey: .values, userInfo: decoder.userInfo)
        if container.contains(.categorySet) {
            categorySet = try container.decodePacked(Int32.self, forKey: .categorySet, userInfo: decoder.userInfo)
            categorySets = try container.decodePacked(UInt8.self, forKey: .categorySets, userInfo: decoder.userInfo)
        } else {
            categorySet = []
            categorySets = []
        }
        let count = features.count
        let setCount = categorySets.count / Self.categorySetBytes
        guard count > 0, [thresholds.count, missingLeft.count, left.count, right.count, values.count].allSatisfy({ $0 == count }),
              (0..<count).allSatisfy({ features[$0] < 0 || (Int(left[$0]) > $0 && Int(left[$0]) < count && Int(right[$0]) > $0 && Int(right[$0]) < count) }),
              categorySet.isEmpty || (categorySet.count == count && categorySets.count % Self.categorySetBytes == 0
                                      && categorySet.allSatisfy { $0 >= -1 && Int($0) < setCount }) else {
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
        if !categorySet.isEmpty {
            try container.encodePacked(categorySet, forKey: .categorySet, userInfo: encoder.userInfo)
            try container.encodePacked(categorySets, forKey: .categorySets, userInfo: encoder.userInfo)
        }
    }

    /// Whether a categorical node sends `x` left.
    @inline(__always)
    func categoryGoesLeft(_ x: Double, set: Int, missingLeft: Bool) -> Bool {
        guard x >= 0, x < 256, x == x.rounded(.towardZero) else { return missingLeft }
        let code = Int(x)
        return categorySets[set &* Self.categorySetBytes &+ (code &>> 3)] &>> UInt8(code & 7) & 1 == 1
    }

    @inline(__always)
    func value(_ row: UnsafePointer<Double>) -> Double {
        var node = 0
        if categorySet.isEmpty {
            while features[node] >= 0 {
                let x = row[Int(features[node])]
                let goLeft = x.isNaN ? missingLeft[node] : x <= thresholds[node]
                node = Int(goLeft ? left[node] : right[node])
            }
        } else {
            while features[node] >= 0 {
                let x = row[Int(features[node])], set = Int(categorySet[node])
                let goLeft = x.isNaN ? missingLeft[node] : set < 0 ? x <= thresholds[node] : categoryGoesLeft(x, set: set, missingLeft: missingLeft[node])
                node = Int(goLeft ? left[node] : right[node])
            }
        }
        return values[node]
    }

    /// The category codes a categorical node sends left (bits 0...255 of its set).
    public func leftCategories(ofSet set: Int) -> [Int] {
        (0..<256).filter { code in categorySets[set * Self.categorySetBytes + code / 8] >> UInt8(code % 8) & 1 == 1 }
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

    /// Whether a tree splits a native categorical feature on a set of categories.
    public var splitsOnCategorySets: Bool { trees.contains { !$0.categorySet.isEmpty } }

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
