import Foundation

/// The one JSON setup runner writes and reads everywhere (results, locks, bundles, records,
/// `--json` output): sorted keys, unescaped slashes, and the non-finite numbers JSON lacks
/// written as the strings "inf", "-inf" and "nan" (documented in docs/spec.md).
public enum JSONFormat {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Encodes plain data (structs of numbers, strings, arrays and dictionaries), which
    /// cannot fail with non-finite numbers mapped to strings; a failure is a programming error.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) -> Data {
        try! encoder(pretty: pretty).encode(value)
    }

    /// A decoding failure in our words: which field, and what was wrong with it (Foundation's
    /// own text is "The data couldn't be read because it isn't in the correct format").
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)): '\(key.stringValue)' is missing"
        case .valueNotFound(_, let context): return "\(path(context)): a value is missing (null)"
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(typeName(type))"
        case .dataCorrupted(let context):
            // The JSON parser's own message names the byte offset; ours says it is not JSON.
            if context.codingPath.isEmpty, context.underlyingError != nil || context.debugDescription.contains("not valid JSON") { return "not valid JSON" }
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }
}
