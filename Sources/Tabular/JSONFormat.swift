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
}
