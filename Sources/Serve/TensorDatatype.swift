import Tabular

/// Tensor element types of the Open Inference Protocol, and how each maps to a column type:
/// numbers of any width feed numeric columns, BOOL boolean ones, BYTES (strings) categorical ones.
enum TensorDatatype: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case uint8 = "UINT8", uint16 = "UINT16", uint32 = "UINT32", uint64 = "UINT64"
    case int8 = "INT8", int16 = "INT16", int32 = "INT32", int64 = "INT64"
    case fp16 = "FP16", fp32 = "FP32", fp64 = "FP64"
    case bytes = "BYTES"

    /// What model metadata advertises for a column of `kind`.
    static func advertised(for kind: ColumnKind) -> TensorDatatype {
        switch kind {
        case .numeric: return .fp64
        case .boolean: return .bool
        case .categorical: return .bytes
        }
    }

    /// Whether a tensor of this type can fill a column of `kind`.
    func feeds(_ kind: ColumnKind) -> Bool {
        switch kind {
        case .numeric: return isNumeric
        case .boolean: return self == .bool
        case .categorical: return self == .bytes
        }
    }

    var isNumeric: Bool { self != .bool && self != .bytes }

    /// Bytes per element in the binary tensor extension (BYTES elements carry their own length).
    var elementSize: Int? {
        switch self {
        case .bool, .uint8, .int8: return 1
        case .uint16, .int16, .fp16: return 2
        case .uint32, .int32, .fp32: return 4
        case .uint64, .int64, .fp64: return 8
        case .bytes: return nil
        }
    }
}
