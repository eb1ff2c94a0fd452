import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learn
import Packaging
@testable import Serve
import Tabular
import XCTest

/// Every endpoint and every error status, driven through the server's responder.
final class ServeRouterTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try ServeFixtures.folder()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private static let row = #"{"island":"Torgersen","bill_length_mm":39.1,"bill_depth_mm":18.7,"flipper_length_mm":181,"body_mass_g":3750,"sex":"male"}"#
    private static let gentoo = #"{"island":"Biscoe","bill_length_mm":46.5,"bill_depth_mm":13.5,"flipper_length_mm":210,"body_mass_g":4550,"sex":"female"}"#
    private static let header = "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex"

    static func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, contentType: String = "application/json",
                      headers extra: [(String, String)] = []) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// What the pipeline itself predicts for CSV text (the reference every surface must equal).
    static func direct(_ bundle: ModelBundle, csv: String) throws -> Prediction {
        let source = MemorySource(name: "reference", bytes: Array(csv.utf8), options: ReadOptions(format: .csv))
        let (table, _) = try BundlePrediction.readInput(source, schema: bundle.manifest.inputSchema)
        return try BundlePrediction.predict(bundle, table)
    }

    func testMetadataHealthAndModelList() async throws {
        let penguins = try ServeFixtures.penguins(), cars = try ServeFixtures.cars()
        let (server, _) = try ServeFixtures.server([("", penguins), ("mpg", cars)], in: folder)
        try await server.test { client in
            let metadata = try await client.execute(uri: "/v2", method: .get)
            XCTAssertEqual(metadata.status, .ok)
            XCTAssertEqual(metadata.json["name"] as? String, "runner")
            XCTAssertEqual(metadata.json["extensions"] as? [String], ["binary_tensor_data", "model_repository"])
            let live = try await client.execute(uri: "/v2/health/live", method: .get)
            XCTAssertEqual(live.json["live"] as? Bool, true)
            let ready = try await client.execute(uri: "/v2/health/ready", method: .get)
            XCTAssertEqual(ready.status, .ok)

            let model = try await client.execute(uri: "/v2/models/penguins", method: .get)
            XCTAssertEqual(model.status, .ok)
            let inputs = try XCTUnwrap(model.json["inputs"] as? [[String: Any]])
            XCTAssertEqual(inputs.map { $0["name"] as? String }, ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"])
            XCTAssertEqual(inputs.map { $0["datatype"] as? String }, ["BYTES", "FP64", "FP64", "FP64", "FP64", "BYTES"])
            XCTAssertEqual(inputs.first?["shape"] as? [Int], [-1])
            let outputs = try XCTUnwrap(model.json["outputs"] as? [[String: Any]])
            XCTAssertEqual(outputs.map { $0["name"] as? String }, ["label", "proba_Adelie", "proba_Chinstrap", "proba_Gentoo"])
            let regression = try await client.execute(uri: "/v2/models/mpg", method: .get)
            XCTAssertEqual((regression.json["outputs"] as? [[String: Any]])?.map { $0["name"] as? String }, ["prediction"])
            let modelReady = try await client.execute(uri: "/v2/models/mpg/ready", method: .get)
            XCTAssertEqual(modelReady.json["ready"] as? Bool, true)

            let list = try await client.execute(uri: "/v1/models", method: .get)
            XCTAssertEqual((list.json["models"] as? [[String: Any]])?.map { $0["name"] as? String }, ["penguins", "mpg"])

            for uri in ["/v2/models/nope", "/v2/models/nope/ready"] {
                let missing = try await client.execute(uri: uri, method: .get)
                XCTAssertEqual(missing.status, .notFound, uri)
                XCTAssertEqual(missing.json["error"] as? String, "no model named 'nope'; this server has penguins, mpg")
            }
            let route = try await client.execute(uri: "/v3/anything", method: .get)
            XCTAssertEqual(route.status, .notFound)
            XCTAssertEqual(route.json["error"] as? String, "no route GET /v3/anything; the routes are listed in GET /openapi.yaml")
        }
    }

    func testPredictRecordsSplitAndCSVEqualThePipeline() async throws {
        let penguins = try ServeFixtures.penguins()
        let (server, _) = try ServeFixtures.server([("", penguins)], in: folder)
        let csv = try String(contentsOfFile: ServeFixtures.penguinsCSV, encoding: .utf8)
        // Rows with every value present, as JSON records and split form.
        let lines = csv.split(separator: "\n").dropFirst().filter { !$0.contains(",NA") && !$0.contains(",,") }.prefix(40)
        let reference = try Self.direct(penguins, csv: "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year,species\n" + lines.joined(separator: "\n") + "\n")
        guard case .classes(let labels, let probabilities?) = reference else { return XCTFail("expected classes") }
        let classes = try XCTUnwrap(penguins.manifest.classes)
        var recordList: [String] = [], rows: [String] = []
        for line in lines {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            recordList.append(#"{"island":"\#(f[0])","bill_length_mm":\#(f[1]),"bill_depth_mm":\#(f[2]),"flipper_length_mm":\#(f[3]),"body_mass_g":\#(f[4]),"sex":"\#(f[5])","year":\#(f[6])}"#)
            rows.append(#"["\#(f[0])",\#(f[1]),\#(f[2]),\#(f[3]),\#(f[4]),"\#(f[5])"]"#)
        }
        let split = #"{"columns":["island","bill_length_mm","bill_depth_mm","flipper_length_mm","body_mass_g","sex"],"data":[\#(rows.joined(separator: ","))]}"#
        let records = recordList.joined(separator: ",")
        try await server.test { client in
            for body in ["[" + records + "]", split, #"{"dataframe_split":\#(split)}"#, #"{"dataframe_records":[\#(records)]}"#] {
                let response = try await Self.post(client, "/v1/models/penguins/predict?proba=true", body)
                XCTAssertEqual(response.status, .ok, response.text)
                XCTAssertEqual(response.json["predictions"] as? [String], labels.map { classes[$0] })
                let returned = try XCTUnwrap(response.json["probabilities"] as? [[String: Double]])
                for row in 0..<labels.count {
                    for (column, name) in classes.enumerated() {
                        XCTAssertEqual(returned[row][name].map(\.bitPattern), probabilities[row, column].bitPattern, "row \(row) \(name)")
                    }
                }
            }
            let recordsResponse = try await Self.post(client, "/v1/models/penguins/predict", "[" + records + "]")
            XCTAssertNil(recordsResponse.json["probabilities"])
            XCTAssertEqual(recordsResponse.json["warnings"] as? [String], ["ignoring 1 column the model does not use: year"])

            let csvBody = "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year,species\n" + lines.joined(separator: "\n") + "\n"
            let fromCSV = try await Self.post(client, "/v1/models/penguins/predict", csvBody, contentType: "text/csv")
            XCTAssertEqual(fromCSV.status, .ok, fromCSV.text)
            XCTAssertEqual(fromCSV.json["predictions"] as? [String], labels.map { classes[$0] })
            let asCSV = try await Self.post(client, "/v1/models/penguins/predict?proba=true", csvBody, contentType: "text/csv", headers: [("Accept", "text/csv")])
            XCTAssertEqual(asCSV.headers[.contentType], "text/csv")
            XCTAssertEqual(asCSV.text, BundlePrediction.csv(reference, classes: classes, probabilities: true))
        }
    }

    func testInputThatDoesNotFitIsRefusedWith422NamingRowAndColumn() async throws {
        let (server, _) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder)
        try await server.test { client in
            let cases: [(String, String, Int?, String?)] = [
                ("[\(Self.row),\(Self.row.replacingOccurrences(of: "39.1", with: "\"abc\""))]",
                 #"row 2, column 'bill_length_mm': "abc" is not a number (the model was trained on numbers in this column)"#, 2, "bill_length_mm"),
                ("[\(Self.row.replacingOccurrences(of: #""sex":"male""#, with: #""sex":"alien""#))]",
                 "input row 1, column 'sex': the value 'alien' was not seen in training; set handle_unknown: ignore on its one_hot step to encode unseen values as all zeros", 1, "sex"),
                (#"[{"island":"Biscoe"}]"#,
                 "columns 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex' are missing; the model needs island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex", nil, "bill_length_mm"),
                ("[\(Self.row.replacingOccurrences(of: "18.7", with: "[18.7]"))]", "row 1, column 'bill_depth_mm': expected a single value, got an array", 1, "bill_depth_mm"),
                ("[\(Self.row), 7]", "row 2: expected an object of column values, got 7", 2, nil),
                (#"{"columns":["island","sex"],"data":[["Biscoe"]]}"#, "row 1 has 1 value for 2 columns", 1, nil),
                ("[]", "the request has no rows to predict", nil, nil),
                ("[\(Self.row.replacingOccurrences(of: "181", with: "true"))]",
                 "row 1, column 'flipper_length_mm': true is not a number (the model was trained on numbers in this column)", 1, "flipper_length_mm"),
                ("\"rows\"", #"expected rows as records ([{"column": value, ...}, ...]) or split ({"columns": [...], "data": [[...], ...]}), got "rows""#, nil, nil),
            ]
            for (body, message, row, column) in cases {
                let response = try await Self.post(client, "/v1/models/penguins/predict", body)
                XCTAssertEqual(response.status, .unprocessableContent, body)
                XCTAssertEqual(response.json["error"] as? String, message, body)
                XCTAssertEqual(response.json["row"] as? Int, row, body)
                XCTAssertEqual(response.json["column"] as? String, column, body)
            }
            let csv = try await Self.post(client, "/v1/models/penguins/predict", "\(Self.header)\nBiscoe,45,x,210,4500,male\n", contentType: "text/csv")
            XCTAssertEqual(csv.status, .unprocessableContent)
            XCTAssertEqual(csv.json["error"] as? String, "line 2, column 11 of the CSV body: column 'bill_depth_mm' is numeric but this value is not a number")
            let missingColumn = try await Self.post(client, "/v1/models/penguins/predict", "island,sex\nBiscoe,male\n", contentType: "text/csv")
            XCTAssertEqual(missingColumn.status, .unprocessableContent)
            XCTAssertEqual(missingColumn.json["column"] as? String, "bill_length_mm")
        }
    }

    func testMalformedBodiesAndContentTypes() async throws {
        let (server, _) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder) { $0.maxBodyBytes = 2048 }
        try await server.test { client in
            let broken = try await Self.post(client, "/v1/models/penguins/predict", "[{\"island\": }]")
            XCTAssertEqual(broken.status, .badRequest)
            XCTAssertEqual(broken.json["error"] as? String, "the body is not valid JSON: expected a JSON value (strings need double quotes) (byte 13)")
            let deep = try await Self.post(client, "/v1/models/penguins/predict", String(repeating: "[", count: 1000))
            XCTAssertEqual(deep.status, .badRequest)
            XCTAssertEqual(deep.json["error"] as? String, "the body is not valid JSON: JSON nested deeper than 64 levels (byte 65)")
            let duplicate = try await Self.post(client, "/v1/models/penguins/predict", #"[{"sex":"male","sex":"female"}]"#)
            XCTAssertEqual(duplicate.json["error"] as? String, "the body is not valid JSON: duplicate key 'sex' (byte 16)")

            let xml = try await Self.post(client, "/v1/models/penguins/predict", "<rows/>", contentType: "application/xml")
            XCTAssertEqual(xml.status, .unsupportedMediaType)
            XCTAssertEqual(xml.json["error"] as? String, "send rows as application/json (records or split) or text/csv, not application/xml")
            let inferXML = try await Self.post(client, "/v2/models/penguins/infer", "<rows/>", contentType: "application/xml")
            XCTAssertEqual(inferXML.status, .unsupportedMediaType)

            let large = "[" + Array(repeating: Self.row, count: 30).joined(separator: ",") + "]"
            for uri in ["/v1/models/penguins/predict", "/v2/models/penguins/infer"] {
                let tooLarge = try await Self.post(client, uri, large)
                XCTAssertEqual(tooLarge.status, .contentTooLarge)
                XCTAssertEqual(tooLarge.json["error"] as? String, "the request body is larger than the server's limit of 2048 bytes; send fewer rows per request or start the server with a larger --max-body-bytes")
            }
            let unknown = try await Self.post(client, "/v1/models/nope/predict", "[\(Self.row)]")
            XCTAssertEqual(unknown.status, .notFound)
            let proba = try await Self.post(client, "/v1/models/penguins/predict?proba=maybe", "[\(Self.row)]")
            XCTAssertEqual(proba.status, .badRequest)
        }
    }

    func testInferenceProtocolJSONAndBinaryTensors() async throws {
        let penguins = try ServeFixtures.penguins()
        let (server, _) = try ServeFixtures.server([("", penguins)], in: folder)
        let reference = try Self.direct(penguins, csv: "\(Self.header)\nTorgersen,39.1,18.7,181,3750,male\nBiscoe,46.5,13.5,210,4550,female\n")
        guard case .classes(let labels, let probabilities?) = reference else { return XCTFail("expected classes") }
        let inputs = #"""
            [{"name":"island","shape":[2],"datatype":"BYTES","data":["Torgersen","Biscoe"]},
             {"name":"bill_length_mm","shape":[2,1],"datatype":"FP64","data":[[39.1],[46.5]]},
             {"name":"bill_depth_mm","shape":[2],"datatype":"FP32","data":[18.7,13.5]},
             {"name":"flipper_length_mm","shape":[2],"datatype":"INT64","data":[181,210]},
             {"name":"body_mass_g","shape":[2],"datatype":"FP64","data":[3750,4550]},
             {"name":"sex","shape":[2],"datatype":"BYTES","data":["male","female"]}]
            """#
        try await server.test { client in
            let response = try await Self.post(client, "/v2/models/penguins/infer", #"{"id":"req-1","inputs":\#(inputs)}"#)
            XCTAssertEqual(response.status, .ok, response.text)
            XCTAssertEqual(response.json["id"] as? String, "req-1")
            XCTAssertEqual(response.json["model_name"] as? String, "penguins")
            let outputs = try XCTUnwrap(response.json["outputs"] as? [[String: Any]])
            XCTAssertEqual(outputs[0]["data"] as? [String], labels.map { penguins.manifest.classes![$0] })
            XCTAssertEqual(outputs[1]["name"] as? String, "proba_Adelie")
            XCTAssertEqual((outputs[1]["data"] as? [Double])?.map(\.bitPattern), [probabilities[0, 0].bitPattern, probabilities[1, 0].bitPattern])

            let only = try await Self.post(client, "/v2/models/penguins/infer", #"{"inputs":\#(inputs),"outputs":[{"name":"proba_Gentoo"}]}"#)
            XCTAssertEqual((only.json["outputs"] as? [[String: Any]])?.map { $0["name"] as? String }, ["proba_Gentoo"])

            // The binary tensor extension, as tritonclient sends it by default.
            var binary: [UInt8] = []
            func strings(_ values: [String]) -> [UInt8] {
                values.flatMap { value -> [UInt8] in withUnsafeBytes(of: UInt32(value.utf8.count).littleEndian, Array.init) + Array(value.utf8) }
            }
            func doubles(_ values: [Double]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
            let island = strings(["Torgersen", "Biscoe"]), bill = doubles([39.1, 46.5]), depth = doubles([18.7, 13.5])
            let flipper = [181, 210].flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) }, mass = doubles([3750, 4550]), sex = strings(["male", "female"])
            binary = island + bill + depth + flipper + mass + sex
            let header = #"""
                {"inputs":[{"name":"island","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":\#(island.count)}},
                {"name":"bill_length_mm","shape":[2],"datatype":"FP64","parameters":{"binary_data_size":16}},
                {"name":"bill_depth_mm","shape":[2],"datatype":"FP64","parameters":{"binary_data_size":16}},
                {"name":"flipper_length_mm","shape":[2],"datatype":"INT64","parameters":{"binary_data_size":16}},
                {"name":"body_mass_g","shape":[2],"datatype":"FP64","parameters":{"binary_data_size":16}},
                {"name":"sex","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":\#(sex.count)}}],
                "parameters":{"binary_data_output":true}}
                """#
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[HTTPField.Name("Inference-Header-Content-Length")!] = String(header.utf8.count)
            let binaryResponse = try await client.execute(uri: "/v2/models/penguins/infer", method: .post, headers: headers, body: ByteBuffer(bytes: Array(header.utf8) + binary))
            XCTAssertEqual(binaryResponse.status, .ok, binaryResponse.text)
            let jsonLength = try XCTUnwrap(binaryResponse.headers[HTTPField.Name("Inference-Header-Content-Length")!].flatMap { Int($0) })
            var body = binaryResponse.body
            let jsonPart = try XCTUnwrap(body.readBytes(length: jsonLength))
            let document = try XCTUnwrap(ServeFixtures.foundation(try JSONParser.parse(jsonPart)) as? [String: Any])
            let described = try XCTUnwrap(document["outputs"] as? [[String: Any]])
            let sizes = described.map { (($0["parameters"] as? [String: Any])?["binary_data_size"] as? Int) ?? -1 }
            let labelBytes = try XCTUnwrap(body.readBytes(length: sizes[0]))
            XCTAssertEqual(labelBytes, strings(labels.map { penguins.manifest.classes![$0] }))
            let adelie = try XCTUnwrap(body.readBytes(length: sizes[1]))
            XCTAssertEqual(adelie, doubles([probabilities[0, 0], probabilities[1, 0]]))
        }
    }

    func testInferenceProtocolErrorsAre400() async throws {
        let (server, _) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder)
        let good = #"{"name":"island","shape":[1],"datatype":"BYTES","data":["Biscoe"]},{"name":"bill_length_mm","shape":[1],"datatype":"FP64","data":[45]},{"name":"bill_depth_mm","shape":[1],"datatype":"FP64","data":[14]},{"name":"flipper_length_mm","shape":[1],"datatype":"FP64","data":[210]},{"name":"body_mass_g","shape":[1],"datatype":"FP64","data":[4500]}"#
        let cases: [(String, String)] = [
            (#"{"inputs":[\#(good)]}"#, "column 'sex' is missing; the model needs island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex"),
            (#"{"inputs":[\#(good),{"name":"sex","shape":[1],"datatype":"FP64","data":[1]}]}"#,
             "input 'sex' has datatype FP64, and the model reads it as BYTES (categorical values; see GET /v2/models/penguins)"),
            (#"{"inputs":[\#(good),{"name":"sex","shape":[2],"datatype":"BYTES","data":["male","female"]}]}"#,
             "input 'sex' has 2 rows, and the inputs before it 1; every input needs one value per row"),
            (#"{"inputs":[\#(good),{"name":"sex","shape":[1],"datatype":"BYTES","data":["male","female"]}]}"#, "input 'sex' has 2 values, and its shape says 1"),
            (#"{"inputs":[\#(good),{"name":"sex","shape":[1,2],"datatype":"BYTES","data":["male","female"]}]}"#,
             "input 'sex' has shape [1, 2]; each input is one column: [rows] or [rows, 1]"),
            (#"{"inputs":[\#(good),{"name":"color","shape":[1],"datatype":"BYTES","data":["red"]}]}"#,
             "unknown input 'color'; the model's inputs are island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex"),
            (#"{"inputs":[\#(good),{"name":"sex","shape":[1],"datatype":"BYTES","data":[3]}]}"#, "input 'sex', row 1: 3 is not a BYTES value"),
            (#"{"inputs":[\#(good),{"name":"sex","shape":[1],"datatype":"BYTES","data":["alien"]}]}"#,
             "input row 1, column 'sex': the value 'alien' was not seen in training; set handle_unknown: ignore on its one_hot step to encode unseen values as all zeros"),
            (#"{"inputs":[\#(good),{"name":"sex","shape":[1],"datatype":"BYTES","data":["male"]}],"outputs":[{"name":"score"}]}"#,
             "unknown output 'score'; the model's outputs are label, proba_Adelie, proba_Chinstrap, proba_Gentoo"),
            (#"{"inputs":[]}"#, "\"inputs\" is empty; the model needs island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex"),
            (#"[1]"#, "the inference request must be a JSON object with \"inputs\""),
            (#"{"inputs":[{"name":"island","shape":[999999999999],"datatype":"BYTES","data":["Biscoe"]}]}"#,
             "input 'island' has 1 value, and its shape says 999999999999"),
            (#"{"inputs":[{"name":"bill_length_mm","shape":[999999999999],"datatype":"FP64","parameters":{"binary_data_size":0}}]}"#,
             "input 'bill_length_mm': its shape says 999999999999 elements, and its 0 bytes of binary data hold at most 0"),
            (#"{"inputs":[\#(good),{"name":"sex","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":9}}]}"#,
             "input 'sex': binary_data_size must be a byte count within the body"),
        ]
        try await server.test { client in
            for (body, message) in cases {
                let response = try await Self.post(client, "/v2/models/penguins/infer", body)
                XCTAssertEqual(response.status, .badRequest, body)
                XCTAssertEqual(response.json["error"] as? String, message, body)
            }
        }
    }
}
