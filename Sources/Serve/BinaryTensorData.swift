import Tabular

/// Triton's binary tensor data extension (what `tritonclient` sends by default): tensors in
/// little-endian bytes after the JSON header, whose length `Inference-Header-Content-Length`
/// gives; BOOL is one byte, BYTES elements are a 4-byte length and the bytes.
enum BinaryTensorData {
    /// The elements of one tensor of `count` elements, as table cells. Missing values: NaN for
    /// floating types, an empty string for BYTES (as in the ONNX export).
    static func decode(_ bytes: ArraySlice<UInt8>, datatype: TensorDatatype, count: Int, input: String) throws(ServeError) -> [ScalarValue] {
        // The shape is the client's word: nothing is reserved for more elements than the bytes can hold.
        let smallest = datatype.elementSize ?? 4
        guard count <= bytes.count / smallest else {
            throw .badRequest("input '\(input)': its shape says \(count) elements, and its \(bytes.count) bytes of binary data hold at most \(bytes.count / smallest)")
        }
        var values: [ScalarValue] = []
        values.reserveCapacity(count)
        if datatype == .bytes {
            var offset = bytes.startIndex
            for element in 0..<count {
                guard bytes.endIndex - offset >= 4 else { throw .badRequest("input '\(input)': binary data ends inside element \(element + 1) of \(count)") }
                let length = Int(littleEndian(bytes, at: offset, size: 4))
                offset += 4
                guard bytes.endIndex - offset >= length else { throw .badRequest("input '\(input)': binary data ends inside element \(element + 1) of \(count)") }
                guard let text = String(validating: bytes[offset..<(offset + length)], as: UTF8.self) else {
                    throw .badRequest("input '\(input)': element \(element + 1) is not UTF-8 text")
                }
                values.append(text.isEmpty ? .missing : .string(text))
                offset += length
            }
            guard offset == bytes.endIndex else { throw .badRequest("input '\(input)': binary_data_size is larger than its \(count) elements") }
            return values
        }
        guard let size = datatype.elementSize else { return values }
        guard bytes.count == size * count else {
            throw .badRequest("input '\(input)': binary_data_size is \(bytes.count) bytes, and \(count) \(datatype.rawValue) elements take \(size * count)")
        }
        var offset = bytes.startIndex
        for _ in 0..<count {
            let raw = littleEndian(bytes, at: offset, size: size)
            offset += size
            switch datatype {
            case .bool: values.append(.bool(raw != 0))
            case .uint8, .uint16, .uint32, .uint64: values.append(.number(Double(raw), text: String(raw)))
            case .int8: values.append(integer(Int64(Int8(truncatingIfNeeded: raw))))
            case .int16: values.append(integer(Int64(Int16(truncatingIfNeeded: raw))))
            case .int32: values.append(integer(Int64(Int32(truncatingIfNeeded: raw))))
            case .int64: values.append(integer(Int64(bitPattern: raw)))
            case .fp16: values.append(floating(Double(halfToFloat(UInt16(truncatingIfNeeded: raw)))))
            case .fp32: values.append(floating(Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))))
            case .fp64: values.append(floating(Double(bitPattern: raw)))
            case .bytes: break
            }
        }
        return values
    }

    static func append(doubles: [Double], to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + doubles.count * 8)
        for value in doubles {
            var bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
        }
    }

    static func append(strings: [String], to bytes: inout [UInt8]) {
        for text in strings {
            var length = UInt32(text.utf8.count).littleEndian
            withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: text.utf8)
        }
    }

    private static func integer(_ value: Int64) -> ScalarValue { .number(Double(value), text: String(value)) }

    private static func floating(_ value: Double) -> ScalarValue { value.isNaN ? .missing : .number(value, text: nil) }

    private static func littleEndian(_ bytes: ArraySlice<UInt8>, at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<size { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        return value
    }

    /// IEEE 754 half precision to single, without relying on Float16 (absent on some platforms).
    private static func halfToFloat(_ half: UInt16) -> Float {
        let sign: UInt32 = UInt32(half & 0x8000) << 16
        let exponent = Int((half >> 10) & 0x1F)
        let mantissa = UInt32(half & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | (UInt32(exponent + 112) << 23) | (mantissa << 13))
    }
}
