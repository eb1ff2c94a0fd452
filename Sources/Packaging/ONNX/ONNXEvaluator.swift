import Foundation
import SwiftProtobuf

/// Evaluates the ONNX graphs runner exports, by the ONNX operator definitions, independently
/// of the runner models they came from: a model test (`onnx_agrees`) runs the exported bytes
/// through it and compares with the model, with no ONNX runtime at run time. It knows the
/// operators ONNXExport emits and refuses any other by name.
public struct ONNXEvaluator: Sendable {
    /// A tensor: its shape and row-major values of one element type.
    public struct Tensor: Sendable, Equatable {
        public enum Values: Sendable, Equatable {
            case double([Double])
            case int64([Int64])
            case bool([Bool])
            case string([String])
        }

        public var shape: [Int]
        public var values: Values

        public init(shape: [Int], values: Values) {
            self.shape = shape
            self.values = values
        }

        var count: Int { shape.reduce(1, *) }

        func doubles() throws(BundleError) -> [Double] {
            switch values {
            case .double(let values): return values
            case .int64(let values): return values.map(Double.init)
            case .bool(let values): return values.map { $0 ? 1 : 0 }
            case .string: throw BundleError.unsupportedExport("ONNX: a string tensor where numbers are needed")
            }
        }
    }

    private let graph: Onnx_GraphProto

    public init(model data: Data) throws(BundleError) {
        do {
            graph = try Onnx_ModelProto(serializedBytes: data).graph
        } catch {
            throw BundleError.invalid("not an ONNX model (\(error))")
        }
    }

    /// The graph's input names, in order.
    public var inputNames: [String] { graph.input.map(\.name) }

    /// Runs the graph; returns every graph output by name.
    public func run(_ inputs: [String: Tensor]) throws(BundleError) -> [String: Tensor] {
        var values = inputs
        for initializer in graph.initializer { values[initializer.name] = try Self.tensor(initializer) }
        for node in graph.node {
            var arguments: [Tensor] = []
            for name in node.input {
                guard let value = values[name] else { throw BundleError.invalid("ONNX node '\(node.name)' reads '\(name)', which nothing computed") }
                arguments.append(value)
            }
            let output = try evaluate(node, arguments)
            guard let name = node.output.first else { throw BundleError.invalid("ONNX node '\(node.name)' has no output") }
            values[name] = output
        }
        var outputs: [String: Tensor] = [:]
        for output in graph.output {
            guard let value = values[output.name] else { throw BundleError.invalid("ONNX output '\(output.name)' is never computed") }
            outputs[output.name] = value
        }
        return outputs
    }

    // MARK: operators

    private func evaluate(_ node: Onnx_NodeProto, _ x: [Tensor]) throws(BundleError) -> Tensor {
        func attribute(_ name: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == name } }
        func argument(_ index: Int) throws(BundleError) -> Tensor {
            guard x.indices.contains(index) else { throw BundleError.invalid("ONNX \(node.opType) lacks input \(index + 1)") }
            return x[index]
        }
        switch node.opType {
        case "Identity":
            return try argument(0)
        case "Add": return try Self.arithmetic(try argument(0), try argument(1), +)
        case "Sub": return try Self.arithmetic(try argument(0), try argument(1), -)
        case "Mul": return try Self.arithmetic(try argument(0), try argument(1), *)
        case "Div": return try Self.arithmetic(try argument(0), try argument(1), /)
        case "Greater":
            let (shape, pairs) = try Self.broadcast(try argument(0), try argument(1))
            let a = try x[0].doubles(), b = try x[1].doubles()
            return Tensor(shape: shape, values: .bool(pairs.map { a[$0.0] > b[$0.1] }))
        case "Equal":
            let (shape, pairs) = try Self.broadcast(try argument(0), try argument(1))
            switch (x[0].values, x[1].values) {
            case (.string(let a), .string(let b)): return Tensor(shape: shape, values: .bool(pairs.map { a[$0.0] == b[$0.1] }))
            default:
                let a = try x[0].doubles(), b = try x[1].doubles()
                return Tensor(shape: shape, values: .bool(pairs.map { a[$0.0] == b[$0.1] }))
            }
        case "IsNaN":
            let input = try argument(0)
            return Tensor(shape: input.shape, values: .bool(try input.doubles().map(\.isNaN)))
        case "Where":
            let condition = try argument(0), a = try argument(1), b = try argument(2)
            guard case .bool(let flags) = condition.values else { throw BundleError.invalid("ONNX Where needs a boolean condition") }
            let (shapeAB, pairs) = try Self.broadcast(a, b)
            let (shape, outer) = try Self.broadcast(condition, Tensor(shape: shapeAB, values: .bool([])))
            switch (a.values, b.values) {
            case (.string(let first), .string(let second)):
                return Tensor(shape: shape, values: .string(outer.map { flags[$0.0] ? first[pairs[$0.1].0] : second[pairs[$0.1].1] }))
            default:
                let first = try a.doubles(), second = try b.doubles()
                return Tensor(shape: shape, values: .double(outer.map { flags[$0.0] ? first[pairs[$0.1].0] : second[pairs[$0.1].1] }))
            }
        case "Cast":
            let input = try argument(0), values = try input.doubles()
            switch attribute("to")?.i {
            case Int64(Onnx_TensorProto.DataType.double.rawValue): return Tensor(shape: input.shape, values: .double(values))
            case Int64(Onnx_TensorProto.DataType.int64.rawValue): return Tensor(shape: input.shape, values: .int64(values.map { Int64($0) }))
            default: throw BundleError.unsupportedExport("ONNX Cast to type \(attribute("to")?.i ?? -1) is not one runner exports")
            }
        case "Sigmoid":
            let input = try argument(0)
            return Tensor(shape: input.shape, values: .double(try input.doubles().map { 1 / (1 + exp(-$0)) }))
        case "Concat":
            return try Self.concatenate(x, axis: Int(attribute("axis")?.i ?? 0))
        case "MatMul":
            let a = try argument(0), b = try argument(1)
            guard a.shape.count == 2, b.shape.count == 2, a.shape[1] == b.shape[0] else { throw BundleError.invalid("ONNX MatMul of shapes \(a.shape) and \(b.shape)") }
            let left = try a.doubles(), right = try b.doubles()
            let (rows, inner, columns) = (a.shape[0], a.shape[1], b.shape[1])
            var result = [Double](repeating: 0, count: rows * columns)
            for row in 0..<rows {
                for column in 0..<columns {
                    var sum = 0.0
                    for k in 0..<inner { sum += left[row * inner + k] * right[k * columns + column] }
                    result[row * columns + column] = sum
                }
            }
            return Tensor(shape: [rows, columns], values: .double(result))
        case "Unsqueeze":
            var input = try argument(0)
            let axes = try argument(1).doubles().map { Int($0) }
            for axis in axes.sorted() { input.shape.insert(1, at: axis < 0 ? input.shape.count + 1 + axis : axis) }
            return input
        case "Reshape":
            var input = try argument(0)
            var shape = try argument(1).doubles().map { Int($0) }
            if let unknown = shape.firstIndex(of: -1) {
                let known = shape.enumerated().filter { $0.offset != unknown }.reduce(1) { $0 * $1.element }
                shape[unknown] = known == 0 ? 0 : input.count / known
            }
            guard shape.reduce(1, *) == input.count else { throw BundleError.invalid("ONNX Reshape of \(input.shape) to \(shape)") }
            input.shape = shape
            return input
        case "ReduceSum":
            let input = try argument(0)
            let axes = x.count > 1 ? try argument(1).doubles().map { Int($0) } : []
            guard input.shape.count == 3, axes == [2] else { throw BundleError.unsupportedExport("ONNX ReduceSum over axes \(axes) of \(input.shape)") }
            let values = try input.doubles()
            let (n, c, k) = (input.shape[0], input.shape[1], input.shape[2])
            var result = [Double](repeating: 0, count: n * c)
            for i in 0..<(n * c) { for j in 0..<k { result[i] += values[i * k + j] } }
            let keep = attribute("keepdims")?.i ?? 1
            return Tensor(shape: keep == 0 ? [n, c] : [n, c, 1], values: .double(result))
        case "Softmax":
            let input = try argument(0)
            guard input.shape.count == 2 else { throw BundleError.unsupportedExport("ONNX Softmax of shape \(input.shape)") }
            var values = try input.doubles()
            let columns = input.shape[1]
            for row in 0..<input.shape[0] {
                let slice = (row * columns)..<((row + 1) * columns)
                let largest = values[slice].max() ?? 0
                var total = 0.0
                for index in slice {
                    values[index] = exp(values[index] - largest)
                    total += values[index]
                }
                for index in slice { values[index] /= total }
            }
            return Tensor(shape: input.shape, values: .double(values))
        case "ArgMax":
            let input = try argument(0)
            guard input.shape.count == 2, attribute("axis")?.i ?? 0 == 1 else { throw BundleError.unsupportedExport("ONNX ArgMax of shape \(input.shape)") }
            let values = try input.doubles(), columns = input.shape[1]
            var result: [Int64] = []
            for row in 0..<input.shape[0] {
                var best = 0
                for column in 1..<max(1, columns) where values[row * columns + column] > values[row * columns + best] { best = column }
                result.append(Int64(best))
            }
            return Tensor(shape: (attribute("keepdims")?.i ?? 1) == 0 ? [input.shape[0]] : [input.shape[0], 1], values: .int64(result))
        case "Gather":
            let data = try argument(0), indices = try argument(1).doubles().map { Int($0) }
            guard data.shape.count == 1, case .string(let labels) = data.values else { throw BundleError.unsupportedExport("ONNX Gather on \(data.shape)") }
            guard indices.allSatisfy({ labels.indices.contains($0) }) else { throw BundleError.invalid("ONNX Gather index out of range") }
            return Tensor(shape: x[1].shape, values: .string(indices.map { labels[$0] }))
        case "TreeEnsemble":
            return try Self.treeEnsemble(try argument(0), node.attribute)
        default:
            throw BundleError.unsupportedExport("ONNX operator \(node.domain.isEmpty ? "" : node.domain + ".")\(node.opType) is not one runner exports")
        }
    }

    /// numpy broadcasting of two shapes: the result's shape and, per result element, the
    /// element of each operand it reads.
    private static func broadcast(_ a: Tensor, _ b: Tensor) throws(BundleError) -> ([Int], [(Int, Int)]) {
        let rank = max(a.shape.count, b.shape.count)
        let left = [Int](repeating: 1, count: rank - a.shape.count) + a.shape
        let right = [Int](repeating: 1, count: rank - b.shape.count) + b.shape
        var shape: [Int] = []
        for (l, r) in zip(left, right) {
            guard l == r || l == 1 || r == 1 else { throw BundleError.invalid("ONNX shapes \(a.shape) and \(b.shape) do not broadcast") }
            shape.append(l == 1 ? r : l)
        }
        func strides(_ dims: [Int]) -> [Int] {
            var result = [Int](repeating: 0, count: dims.count), step = 1
            for axis in stride(from: dims.count - 1, through: 0, by: -1) {
                result[axis] = dims[axis] == 1 ? 0 : step
                step *= dims[axis]
            }
            return result
        }
        let leftStrides = strides(left), rightStrides = strides(right)
        let total = shape.reduce(1, *)
        var pairs = [(Int, Int)](repeating: (0, 0), count: total)
        var index = [Int](repeating: 0, count: rank)
        for element in 0..<total {
            var l = 0, r = 0
            for axis in 0..<rank {
                l += index[axis] * leftStrides[axis]
                r += index[axis] * rightStrides[axis]
            }
            pairs[element] = (l, r)
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return (shape, pairs)
    }

    private static func arithmetic(_ a: Tensor, _ b: Tensor, _ operation: (Double, Double) -> Double) throws(BundleError) -> Tensor {
        let (shape, pairs) = try broadcast(a, b)
        let left = try a.doubles(), right = try b.doubles()
        return Tensor(shape: shape, values: .double(pairs.map { operation(left[$0.0], right[$0.1]) }))
    }

    private static func concatenate(_ tensors: [Tensor], axis: Int) throws(BundleError) -> Tensor {
        guard let first = tensors.first, first.shape.count == 2, axis == 1, tensors.allSatisfy({ $0.shape.count == 2 && $0.shape[0] == first.shape[0] }) else {
            throw BundleError.unsupportedExport("ONNX Concat of shapes \(tensors.map(\.shape)) on axis \(axis)")
        }
        let rows = first.shape[0], columns = tensors.reduce(0) { $0 + $1.shape[1] }
        var result = [Double](repeating: 0, count: rows * columns)
        var offset = 0
        for tensor in tensors {
            let values = try tensor.doubles(), width = tensor.shape[1]
            for row in 0..<rows { for column in 0..<width { result[row * columns + offset + column] = values[row * width + column] } }
            offset += width
        }
        return Tensor(shape: [rows, columns], values: .double(result))
    }

    /// ai.onnx.ml TreeEnsemble (opset 5) with the modes runner exports: BRANCH_LEQ and
    /// BRANCH_MEMBER nodes, leaves summed per target, no post transform.
    private static func treeEnsemble(_ input: Tensor, _ attributes: [Onnx_AttributeProto]) throws(BundleError) -> Tensor {
        func ints(_ name: String) throws(BundleError) -> [Int] {
            guard let attribute = attributes.first(where: { $0.name == name }) else { throw BundleError.invalid("ONNX TreeEnsemble lacks \(name)") }
            return (attribute.ints.isEmpty ? attribute.t.int32Data.map(Int64.init) : attribute.ints).map { Int($0) }
        }
        func doubles(_ name: String) throws(BundleError) -> [Double] {
            guard let attribute = attributes.first(where: { $0.name == name }) else { throw BundleError.invalid("ONNX TreeEnsemble lacks \(name)") }
            return attribute.t.doubleData
        }
        let modes = try ints("nodes_modes")
        guard modes.allSatisfy({ $0 == 0 || $0 == 6 }) else { throw BundleError.unsupportedExport("ONNX TreeEnsemble node modes other than BRANCH_LEQ and BRANCH_MEMBER") }
        // Per node, its member set (BRANCH_MEMBER nodes take the NaN-separated lists in order).
        var memberSets = [Set<Double>?](repeating: nil, count: modes.count)
        if modes.contains(6) {
            var lists = try doubles("membership_values").split(whereSeparator: \.isNaN).makeIterator()
            for node in modes.indices where modes[node] == 6 {
                guard let list = lists.next() else { throw BundleError.invalid("ONNX TreeEnsemble has fewer membership lists than member nodes") }
                memberSets[node] = Set(list)
            }
        }
        guard attributes.first(where: { $0.name == "aggregate_function" })?.i ?? 1 == 1, attributes.first(where: { $0.name == "post_transform" })?.i ?? 0 == 0 else {
            throw BundleError.unsupportedExport("ONNX TreeEnsemble aggregation other than a plain sum")
        }
        let roots = try ints("tree_roots"), features = try ints("nodes_featureids"), splits = try doubles("nodes_splits")
        let missingTrue = try ints("nodes_missing_value_tracks_true"), trueNodes = try ints("nodes_truenodeids"), trueLeafs = try ints("nodes_trueleafs")
        let falseNodes = try ints("nodes_falsenodeids"), falseLeafs = try ints("nodes_falseleafs")
        let leafTargets = try ints("leaf_targetids"), leafWeights = try doubles("leaf_weights")
        let targets = Int(attributes.first(where: { $0.name == "n_targets" })?.i ?? 1)
        guard input.shape.count == 2 else { throw BundleError.invalid("ONNX TreeEnsemble input of shape \(input.shape)") }
        let values = try input.doubles(), width = input.shape[1]
        var result = [Double](repeating: 0, count: input.shape[0] * targets)
        for row in 0..<input.shape[0] {
            for root in roots {
                var node = root
                // A walk longer than the node count would be a cycle.
                for _ in 0...features.count {
                    guard features.indices.contains(node), features[node] < width else { throw BundleError.invalid("ONNX TreeEnsemble node \(node) out of range") }
                    let value = values[row * width + features[node]]
                    let goesTrue = value.isNaN ? missingTrue[node] == 1 : memberSets[node].map { $0.contains(value) } ?? (value <= splits[node])
                    let (next, isLeaf) = goesTrue ? (trueNodes[node], trueLeafs[node] == 1) : (falseNodes[node], falseLeafs[node] == 1)
                    if isLeaf {
                        guard leafTargets.indices.contains(next) else { throw BundleError.invalid("ONNX TreeEnsemble leaf \(next) out of range") }
                        result[row * targets + leafTargets[next]] += leafWeights[next]
                        break
                    }
                    node = next
                }
            }
        }
        return Tensor(shape: [input.shape[0], targets], values: .double(result))
    }

    /// An initializer's values, from the typed fields or raw little-endian bytes.
    private static func tensor(_ proto: Onnx_TensorProto) throws(BundleError) -> Tensor {
        let shape = proto.dims.map { Int($0) }
        switch Onnx_TensorProto.DataType(rawValue: Int(proto.dataType)) {
        case .double?:
            if !proto.rawData.isEmpty {
                let count = proto.rawData.count / 8
                var values = [Double](repeating: 0, count: count)
                _ = values.withUnsafeMutableBytes { proto.rawData.copyBytes(to: $0) }
                return Tensor(shape: shape, values: .double(values))
            }
            return Tensor(shape: shape, values: .double(proto.doubleData))
        case .int64?:
            return Tensor(shape: shape, values: .int64(proto.int64Data))
        case .string?:
            return Tensor(shape: shape, values: .string(proto.stringData.map { String(decoding: $0, as: UTF8.self) }))
        default:
            throw BundleError.unsupportedExport("ONNX initializer '\(proto.name)' of element type \(proto.dataType)")
        }
    }
}
