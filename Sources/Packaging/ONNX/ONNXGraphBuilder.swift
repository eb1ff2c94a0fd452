import Foundation
import SwiftProtobuf

/// Builds an ONNX graph node by node: constants become initializers, every node output gets a
/// fresh name, and the model is serialized with the opsets it needs.
struct ONNXGraphBuilder {
    static let defaultOpset: Int64 = 21
    static let mlOpset: Int64 = 5
    static let irVersion: Int64 = 10

    private(set) var graph = Onnx_GraphProto()
    private var counter = 0

    init(name: String) {
        graph.name = name
    }

    mutating func fresh(_ hint: String) -> String {
        counter += 1
        return "\(hint)_\(counter)"
    }

    mutating func input(_ name: String, elementType: Onnx_TensorProto.DataType, columns: Int64) {
        graph.input.append(Self.valueInfo(name, elementType: elementType, columns: columns))
    }

    mutating func output(_ tensor: String, as name: String, elementType: Onnx_TensorProto.DataType, columns: Int64?) {
        _ = node("Identity", [tensor], output: name)
        graph.output.append(Self.valueInfo(name, elementType: elementType, columns: columns))
    }

    /// A double constant of the given shape.
    mutating func constant(_ values: [Double], dims: [Int64]) -> String {
        initializer(.double, dims: dims) { $0.doubleData = values }
    }

    mutating func constant(int64 values: [Int64], dims: [Int64]) -> String {
        initializer(.int64, dims: dims) { $0.int64Data = values }
    }

    mutating func constant(strings values: [String], dims: [Int64]) -> String {
        initializer(.string, dims: dims) { $0.stringData = values.map { Data($0.utf8) } }
    }

    private mutating func initializer(_ type: Onnx_TensorProto.DataType, dims: [Int64], fill: (inout Onnx_TensorProto) -> Void) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = fresh("const")
        tensor.dataType = Int32(type.rawValue)
        tensor.dims = dims
        fill(&tensor)
        graph.initializer.append(tensor)
        return tensor.name
    }

    /// Adds a node; returns its (first) output's name.
    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], output: String? = nil, domain: String = "", attributes: [Onnx_AttributeProto] = []) -> String {
        var node = Onnx_NodeProto()
        node.opType = op
        node.domain = domain
        node.input = inputs
        let name = output ?? fresh(op.lowercased())
        node.output = [name]
        node.name = fresh("node_\(op)")
        node.attribute = attributes
        graph.node.append(node)
        return name
    }

    func model(producerVersion: String, documentation: String) -> Onnx_ModelProto {
        var model = Onnx_ModelProto()
        model.irVersion = Self.irVersion
        model.producerName = "runner"
        model.producerVersion = producerVersion
        model.docString = documentation
        var standard = Onnx_OperatorSetIdProto()
        standard.domain = ""
        standard.version = Self.defaultOpset
        var ml = Onnx_OperatorSetIdProto()
        ml.domain = "ai.onnx.ml"
        ml.version = Self.mlOpset
        model.opsetImport = [standard, ml]
        model.graph = graph
        return model
    }

    // MARK: attributes

    static func attribute(_ name: String, int value: Int64) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = value
        return attribute
    }

    static func attribute(_ name: String, ints values: [Int64]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values
        return attribute
    }

    static func attribute(_ name: String, doubles values: [Double]) -> Onnx_AttributeProto {
        var tensor = Onnx_TensorProto()
        tensor.dataType = Int32(Onnx_TensorProto.DataType.double.rawValue)
        tensor.dims = [Int64(values.count)]
        tensor.doubleData = values
        return attribute(name, tensor: tensor)
    }

    static func attribute(_ name: String, bytes values: [UInt8]) -> Onnx_AttributeProto {
        var tensor = Onnx_TensorProto()
        tensor.dataType = Int32(Onnx_TensorProto.DataType.uint8.rawValue)
        tensor.dims = [Int64(values.count)]
        tensor.int32Data = values.map(Int32.init)
        return attribute(name, tensor: tensor)
    }

    static func attribute(_ name: String, tensor: Onnx_TensorProto) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .tensor
        attribute.t = tensor
        return attribute
    }

    private static func valueInfo(_ name: String, elementType: Onnx_TensorProto.DataType, columns: Int64?) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(elementType.rawValue)
        var shape = Onnx_TensorShapeProto()
        var rows = Onnx_TensorShapeProto.Dimension()
        rows.dimParam = "N"
        shape.dim = [rows]
        if let columns {
            var width = Onnx_TensorShapeProto.Dimension()
            width.dimValue = columns
            shape.dim.append(width)
        }
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        info.type = type
        return info
    }
}
