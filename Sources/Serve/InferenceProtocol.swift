import Learn
import Packaging
import Tabular

/// The Open Inference Protocol v2 REST messages (KServe, Triton, Seldon MLServer): an
/// inference request's columnar inputs as the model's table, and its outputs as the
/// response, in JSON or in the binary tensor extension.
enum InferenceProtocol {
    struct RequestedOutput: Sendable {
        var name: String
        var binary: Bool?
    }

    struct Request: Sendable {
        var id: String?
        var table: Table
        /// nil: every output.
        var outputs: [RequestedOutput]?
        /// `binary_data_output`: outputs in binary unless an output says otherwise.
        var binaryByDefault: Bool
    }

    /// Reads an inference request. `headerLength` is `Inference-Header-Content-Length`: the
    /// JSON part's size when binary tensors follow it.
    static func parseRequest(_ body: [UInt8], headerLength: Int?, model: ServedModel) throws(ServeError) -> Request {
        let jsonEnd = headerLength ?? body.count
        guard jsonEnd >= 0, jsonEnd <= body.count else {
            throw .badRequest("Inference-Header-Content-Length is \(jsonEnd), but the body has \(body.count) bytes")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(body[0..<jsonEnd])
        } catch {
            throw .badRequest("the request is not valid JSON: \(error.message) (byte \(error.offset + 1))")
        }
        guard case .object = document else { throw .badRequest("the inference request must be a JSON object with \"inputs\"") }
        var id: String?
        if let value = document["id"] {
            guard case .string(let text) = value else { throw .badRequest("\"id\" must be a string") }
            id = text
        }
        let parameters = document["parameters"]
        let binaryByDefault = try bool(parameters?["binary_data_output"], name: "binary_data_output") ?? false
        guard case .array(let inputs)? = document["inputs"] else { throw .badRequest("the inference request needs \"inputs\": an array of tensors") }
        guard !inputs.isEmpty else { throw .badRequest("\"inputs\" is empty; the model needs \(model.inputs.map(\.name).joined(separator: ", "))") }

        let schema = model.bundle.manifest.inputSchema
        let positions = Dictionary(uniqueKeysWithValues: schema.fields.enumerated().map { ($1.name, $0) })
        var columns = [[ScalarValue]?](repeating: nil, count: schema.fields.count)
        var rows: Int?
        var binaryOffset = jsonEnd
        for input in inputs {
            guard case .string(let name)? = input["name"] else { throw .badRequest("every input needs a \"name\"") }
            guard let position = positions[name] else {
                throw .badRequest("unknown input '\(name)'; the model's inputs are \(model.inputs.map(\.name).joined(separator: ", "))")
            }
            guard columns[position] == nil else { throw .badRequest("input '\(name)' is given twice") }
            let field = schema.fields[position]
            guard case .string(let typeName)? = input["datatype"] else { throw .badRequest("input '\(name)' needs a \"datatype\"") }
            guard let datatype = TensorDatatype(rawValue: typeName) else {
                throw .badRequest("input '\(name)': unknown datatype '\(typeName)'; use one of \(TensorDatatype.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard datatype.feeds(field.kind) else {
                throw .badRequest("input '\(name)' has datatype \(typeName), and the model reads it as \(TensorDatatype.advertised(for: field.kind).rawValue) (\(field.kind.rawValue) values; see GET /v2/models/\(model.name))")
            }
            let count = try elementCount(input["shape"], input: name)
            if let rows, rows != count { throw .badRequest("input '\(name)' has \(count) rows, and the inputs before it \(rows); every input needs one value per row") }
            rows = count
            let values: [ScalarValue]
            if let size = input["parameters"]?["binary_data_size"] {
                guard case .number(let length, _) = size, length >= 0, length == length.rounded(), length <= Double(body.count - binaryOffset) else {
                    throw .badRequest("input '\(name)': binary_data_size must be a byte count within the body")
                }
                let end = binaryOffset + Int(length)
                values = try BinaryTensorData.decode(body[binaryOffset..<end], datatype: datatype, count: count, input: name)
                binaryOffset = end
            } else {
                guard let data = input["data"] else { throw .badRequest("input '\(name)' needs \"data\" (or binary_data_size with binary data)") }
                values = try elements(data, datatype: datatype, count: count, input: name)
            }
            columns[position] = values
        }
        guard binaryOffset == body.count else { throw .badRequest("the body holds \(body.count - binaryOffset) bytes after the last binary input") }
        let missing = schema.fields.indices.filter { columns[$0] == nil }.map { schema.fields[$0].name }
        let read = try RequestTable.table(columns.map { $0 ?? [] }, missing: missing, extra: [], schema: schema, status: .badRequest)
        guard read.table.rowCount > 0 else { throw .badRequest("the request has no rows to predict") }
        return Request(id: id, table: read.table, outputs: try requestedOutputs(document["outputs"], model: model), binaryByDefault: binaryByDefault)
    }

    /// The response body (and the JSON part's length when binary outputs follow it).
    static func response(_ prediction: Prediction, request: Request, model: ServedModel) -> (body: [UInt8], headerLength: Int?) {
        var names = model.outputs.map(\.name)
        var binaryFlags: [Bool] = names.map { _ in request.binaryByDefault }
        if let requested = request.outputs {
            names = requested.map(\.name)
            binaryFlags = requested.map { $0.binary ?? request.binaryByDefault }
        }
        var writer = JSONWriter(capacity: 256 + prediction.count * 24)
        var binary: [UInt8] = []
        writer.beginObject()
        writer.member("model_name", model.name)
        writer.member("model_version", model.version)
        if let id = request.id { writer.member("id", id) }
        writer.key("outputs")
        writer.beginArray()
        for (name, isBinary) in zip(names, binaryFlags) {
            writer.beginObject()
            writer.member("name", name)
            let rows = prediction.count
            switch (prediction, name) {
            case (.classes(let labels, _), ServedModel.labelOutput):
                let classes = model.classes ?? []
                let texts = labels.map { classes.indices.contains($0) ? classes[$0] : String($0) }
                tensor(&writer, &binary, .bytes, rows: rows, binary: isBinary,
                       json: { writer in for text in texts { writer.string(text) } },
                       bytes: { BinaryTensorData.append(strings: texts, to: &$0) })
            case (.classes(_, let probabilities), _):
                let column = (model.classes ?? []).firstIndex(of: String(name.dropFirst(ServedModel.probabilityPrefix.count)))
                let values = (0..<rows).map { row in probabilities.flatMap { matrix in column.map { matrix[row, $0] } } ?? .nan }
                doubles(&writer, &binary, values, rows: rows, binary: isBinary)
            case (.values(let values), _):
                doubles(&writer, &binary, values, rows: rows, binary: isBinary)
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        guard !binary.isEmpty || binaryFlags.contains(true) else { return (writer.bytes, nil) }
        let headerLength = writer.bytes.count
        return (writer.bytes + binary, headerLength)
    }

    /// `GET /v2/models/{name}`.
    static func metadata(_ model: ServedModel) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.member("name", model.name)
        writer.key("versions")
        writer.beginArray()
        writer.string(model.version)
        writer.endArray()
        writer.member("platform", "runner")
        for (key, tensors) in [("inputs", model.inputs), ("outputs", model.outputs)] {
            writer.key(key)
            writer.beginArray()
            for tensor in tensors {
                writer.beginObject()
                writer.member("name", tensor.name)
                writer.member("datatype", tensor.datatype.rawValue)
                writer.key("shape")
                writer.beginArray()
                for dimension in tensor.shape { writer.integer(dimension) }
                writer.endArray()
                writer.endObject()
            }
            writer.endArray()
        }
        let manifest = model.bundle.manifest
        writer.key("parameters")
        writer.beginObject()
        writer.member("task", manifest.task.rawValue)
        writer.member("target", manifest.target)
        writer.member("model_type", manifest.modelType)
        writer.member("experiment", manifest.provenance.experiment)
        writer.member("bundle_sha256", model.digest)
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }

    private static func shape(_ writer: inout JSONWriter, _ rows: Int) {
        writer.key("shape")
        writer.beginArray()
        writer.integer(rows)
        writer.endArray()
    }

    private static func binaryParameters(_ writer: inout JSONWriter, _ size: Int) {
        writer.key("parameters")
        writer.beginObject()
        writer.member("binary_data_size", size)
        writer.endObject()
    }

    private static func doubles(_ writer: inout JSONWriter, _ binary: inout [UInt8], _ values: [Double], rows: Int, binary isBinary: Bool) {
        tensor(&writer, &binary, .fp64, rows: rows, binary: isBinary,
               json: { writer in for value in values { writer.number(value) } },
               bytes: { BinaryTensorData.append(doubles: values, to: &$0) })
    }

    /// One output tensor's datatype, shape and data: in JSON, or appended to the binary part
    /// with its size in `parameters`.
    private static func tensor(_ writer: inout JSONWriter, _ binary: inout [UInt8], _ datatype: TensorDatatype, rows: Int, binary isBinary: Bool,
                               json: (inout JSONWriter) -> Void, bytes: (inout [UInt8]) -> Void) {
        writer.member("datatype", datatype.rawValue)
        shape(&writer, rows)
        if isBinary {
            let start = binary.count
            bytes(&binary)
            binaryParameters(&writer, binary.count - start)
        } else {
            writer.key("data")
            writer.beginArray()
            json(&writer)
            writer.endArray()
        }
    }

    private static func bool(_ value: JSONValue?, name: String) throws(ServeError) -> Bool? {
        guard let value else { return nil }
        guard case .bool(let flag) = value else { throw .badRequest("parameter '\(name)' must be true or false") }
        return flag
    }

    /// Rows in a tensor of `shape`: [N] or [N, 1] (one column per input).
    private static func elementCount(_ shape: JSONValue?, input: String) throws(ServeError) -> Int {
        guard case .array(let dimensions)? = shape, !dimensions.isEmpty, dimensions.count <= 2 else {
            throw .badRequest("input '\(input)' needs a \"shape\" of [rows] or [rows, 1]")
        }
        var sizes: [Int] = []
        for dimension in dimensions {
            guard case .number(let value, _) = dimension, value >= 0, value == value.rounded(), value < 1e12 else {
                throw .badRequest("input '\(input)': shape dimensions must be counts, got \(dimension.shortDescription)")
            }
            sizes.append(Int(value))
        }
        guard sizes.count == 1 || sizes[1] == 1 else {
            throw .badRequest("input '\(input)' has shape \(sizes); each input is one column: [rows] or [rows, 1]")
        }
        return sizes[0]
    }

    /// JSON tensor data, flattened row-major, as cells of `datatype`.
    private static func elements(_ data: JSONValue, datatype: TensorDatatype, count: Int, input: String) throws(ServeError) -> [ScalarValue] {
        var flat: [JSONValue] = []
        func flatten(_ value: JSONValue) {
            if case .array(let inner) = value { for element in inner { flatten(element) } } else { flat.append(value) }
        }
        guard case .array = data else { throw .badRequest("input '\(input)': \"data\" must be an array") }
        flatten(data)
        guard flat.count == count else { throw .badRequest("input '\(input)' has \(flat.count) value\(flat.count == 1 ? "" : "s"), and its shape says \(count)") }
        // Reserved only now: the count is that of values actually sent, not the shape's claim.
        var values: [ScalarValue] = []
        values.reserveCapacity(count)
        for (index, element) in flat.enumerated() {
            switch (datatype, element) {
            case (_, .null): values.append(.missing)
            case (.bool, .bool(let flag)): values.append(.bool(flag))
            case (.bytes, .string(let text)): values.append(text.isEmpty ? .missing : .string(text))
            case (let type, .number(let value, let text)) where type.isNumeric: values.append(.number(value, text: text))
            default:
                throw ServeError(status: .badRequest, message: "input '\(input)', row \(index + 1): \(element.shortDescription) is not a \(datatype.rawValue) value", row: index + 1, column: input)
            }
        }
        return values
    }

    private static func requestedOutputs(_ value: JSONValue?, model: ServedModel) throws(ServeError) -> [RequestedOutput]? {
        guard let value else { return nil }
        guard case .array(let outputs) = value else { throw .badRequest("\"outputs\" must be an array") }
        let known = Set(model.outputs.map(\.name))
        var requested: [RequestedOutput] = []
        for output in outputs {
            guard case .string(let name)? = output["name"] else { throw .badRequest("every requested output needs a \"name\"") }
            guard known.contains(name) else {
                throw .badRequest("unknown output '\(name)'; the model's outputs are \(model.outputs.map(\.name).joined(separator: ", "))")
            }
            requested.append(RequestedOutput(name: name, binary: try bool(output["parameters"]?["binary_data"], name: "binary_data")))
        }
        return requested
    }
}
