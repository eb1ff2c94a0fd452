import Learn
import Tabular

/// Why a bundle could not be written, read, verified, exported or used. Each case is a kind
/// of problem a caller may treat differently (a server answers bad input with 422 and a
/// damaged bundle by refusing to load it); `description` is the complete message.
public enum BundleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key does not open it: a wrong key and a damaged file are indistinguishable by
    /// design (GCM authenticates both).
    case cannotDecrypt
    /// The bundle is encrypted and no key was given.
    case keyRequired
    /// Not a runner bundle, damaged, or in a format this runner does not read.
    case invalid(String)
    /// The signature is damaged or does not match the content.
    case badSignature(String)
    /// A key is missing, unreadable or malformed.
    case key(String)
    /// The fitted pipeline has no faithful form in the export format (ONNX).
    case unsupportedExport(String)
    /// Prediction input that cannot be read as the schema says: located in the data file.
    case inputData(DataError)
    /// Prediction input without columns the model needs.
    case missingColumns(path: String, missing: [String], needed: [String])
    /// The model refused the input (an unseen category under handle_unknown: error, say).
    case prediction(LearnError)
    /// A file could not be written or read.
    case io(String)
    /// A broken invariant in runner itself (a bug: please report it).
    case internalError(String)

    public var description: String {
        switch self {
        case .cannotDecrypt: return "cannot decrypt bundle: wrong key or damaged file"
        case .keyRequired: return "the bundle is encrypted: give its key with --key-env NAME or --key-file PATH"
        case .invalid(let message), .badSignature(let message), .key(let message), .unsupportedExport(let message), .io(let message):
            return message
        case .inputData(let error): return error.description
        case .missingColumns(let path, let missing, let needed):
            return "\(path): " + Self.missingColumns(missing, needed: needed)
        case .prediction(let error): return error.message
        case .internalError(let message): return "internal error: \(message)"
        }
    }

    /// "column 'x' is missing; the model needs a, b, x": the wording of `missingColumns`
    /// without a source (a server names the request by other means).
    public static func missingColumns(_ missing: [String], needed: [String]) -> String {
        let list = missing.map { "'\($0)'" }.joined(separator: ", ")
        let noun = missing.count == 1 ? "column \(list) is" : "columns \(list) are"
        return "\(noun) missing; the model needs \(needed.joined(separator: ", "))"
    }

    /// The located data error, for messages printed as FILE:LINE:COL: error: ...
    public var dataError: DataError? {
        if case .inputData(let error) = self { return error }
        return nil
    }
}
