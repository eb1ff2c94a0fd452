import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learn
import Packaging
@testable import Serve
import Tabular
import XCTest
import Yams

/// API keys, metrics, access and prediction logs, reload, the OpenAPI document and the
/// configuration's sources.
final class ServeOperationsTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try ServeFixtures.folder()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private static let rows = #"[{"island":"Torgersen","bill_length_mm":39.1,"bill_depth_mm":18.7,"flipper_length_mm":181,"body_mass_g":3750,"sex":"male"},{"island":"Biscoe","bill_length_mm":46.5,"bill_depth_mm":13.5,"flipper_length_mm":210,"body_mass_g":4550,"sex":"female"}]"#

    private func keysFile(_ lines: [String]) throws -> String {
        let path = folder.appendingPathComponent("keys").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testAPIKeysAreRequiredWhereConfiguredAndHealthStaysOpen() async throws {
        let user = APIKeys.newKey(name: "ci", admin: false), admin = APIKeys.newKey(name: "ops", admin: true)
        let path = try keysFile(["# keys for the test", user.line, admin.line])
        let (server, log) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder) { $0.apiKeysFile = path }
        try await server.test { client in
            let anonymous = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", Self.rows)
            XCTAssertEqual(anonymous.status, .unauthorized)
            XCTAssertEqual(anonymous.headers[.wwwAuthenticate], "Bearer realm=\"runner\"")
            XCTAssertEqual(anonymous.json["error"] as? String, "this server needs an API key: send it as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'")
            let wrong = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", Self.rows, headers: [("Authorization", "Bearer " + user.key + "x")])
            XCTAssertEqual(wrong.status, .unauthorized)
            XCTAssertEqual(wrong.json["error"] as? String, "the API key is not valid")
            let bearer = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", Self.rows, headers: [("Authorization", "Bearer " + user.key)])
            XCTAssertEqual(bearer.status, .ok)
            let header = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", Self.rows, headers: [("X-API-Key", admin.key)])
            XCTAssertEqual(header.status, .ok)
            for open in ["/v2/health/live", "/v2/health/ready", "/metrics"] {
                let response = try await client.execute(uri: open, method: .get)
                XCTAssertEqual(response.status, .ok, open)
            }
            for closed in ["/v2", "/v2/models/penguins", "/openapi.yaml", "/v1/models", "/no/such/route"] {
                let response = try await client.execute(uri: closed, method: .get)
                XCTAssertEqual(response.status, .unauthorized, closed)
            }
            // Reloading needs the admin key.
            let notAdmin = try await ServeRouterTests.post(client, "/v2/repository/models/penguins/load", "", headers: [("X-API-Key", user.key)])
            XCTAssertEqual(notAdmin.status, .forbidden)
            XCTAssertEqual(notAdmin.json["error"] as? String, "reloading needs an admin API key; this key is not one")
            let reload = try await ServeRouterTests.post(client, "/v2/repository/models/penguins/load", "", headers: [("X-API-Key", admin.key)])
            XCTAssertEqual(reload.status, .ok)
            XCTAssertEqual(reload.json["changed"] as? Bool, false)
        }
        // The log names which key was used, never the key.
        let lines = log.lines.joined(separator: "\n")
        XCTAssertTrue(lines.contains("\"api_key\":\"ops\""))
        XCTAssertFalse(lines.contains(user.key) || lines.contains(admin.key))
    }

    func testClosedHealthAndTheAdminEndpointWithoutKeys() async throws {
        let path = try keysFile([APIKeys.newKey(name: "ci", admin: false).line])
        let (server, _) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder) { $0.apiKeysFile = path; $0.openEndpoints = [] }
        let (open, _) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: try ServeFixtures.folder())
        try await server.test { client in
            let health = try await client.execute(uri: "/v2/health/live", method: .get)
            XCTAssertEqual(health.status, .unauthorized)
        }
        try await open.test { client in
            let reload = try await ServeRouterTests.post(client, "/v2/repository/models/penguins/load", "")
            XCTAssertEqual(reload.status, .forbidden)
            XCTAssertEqual(reload.json["error"] as? String, "reloading needs an admin API key: start the server with --api-keys FILE listing one marked 'admin' (or send SIGHUP)")
        }
    }

    func testKeysAreReadAgainOnReload() async throws {
        let first = APIKeys.newKey(name: "old", admin: false), second = APIKeys.newKey(name: "new", admin: false)
        let path = try keysFile([first.line])
        let (server, log) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder) { $0.apiKeysFile = path }
        try await server.test { client in
            let before = try await client.execute(uri: "/v2", method: .get, headers: [.xAPIKey: second.key])
            XCTAssertEqual(before.status, .unauthorized)
            try (second.line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            server.reloadAll()
            let revoked = try await client.execute(uri: "/v2", method: .get, headers: [.xAPIKey: first.key])
            XCTAssertEqual(revoked.status, .unauthorized)
            let added = try await client.execute(uri: "/v2", method: .get, headers: [.xAPIKey: second.key])
            XCTAssertEqual(added.status, .ok)
            try "not a digest\n".write(toFile: path, atomically: true, encoding: .utf8)
            server.reloadAll()
            let kept = try await client.execute(uri: "/v2", method: .get, headers: [.xAPIKey: second.key])
            XCTAssertEqual(kept.status, .ok)
        }
        XCTAssertTrue(log.lines.contains { $0.contains("api keys reload failed; the keys in force stay") })
    }

    func testAPIKeysFileHoldsDigestsOnly() throws {
        XCTAssertThrowsError(try APIKeys.parse("not-a-digest\n", file: "keys")) { error in
            XCTAssertEqual("\(error)", "keys:1: error: expected the SHA-256 of a key (64 hex digits), not a key; make a key and its line with `runner keygen --api-key NAME`")
        }
        XCTAssertThrowsError(try APIKeys.parse("# nothing\n\n", file: "keys")) { error in
            XCTAssertEqual("\(error)", "keys: error: the keys file lists no keys")
        }
        let made = APIKeys.newKey(name: "team", admin: true)
        let keys = try APIKeys.parse("sha256:" + made.line.uppercased().replacingOccurrences(of: " TEAM ADMIN", with: " team admin") + "  # comment", file: "keys")
        XCTAssertEqual(keys.match(made.key)?.name, "team")
        XCTAssertEqual(keys.match(made.key)?.isAdmin, true)
        XCTAssertNil(keys.match(String(made.key.dropLast())))
        XCTAssertNil(keys.match(""))
        XCTAssertEqual(made.line.split(separator: " ").first.map(String.init), Hashing.hex(SHA256.hash(data: Data(made.key.utf8))))
    }

    func testMetricsCountTrafficPredictionsAndSchemaFailures() async throws {
        let (server, _) = try ServeFixtures.server([("", try ServeFixtures.penguins()), ("mpg", try ServeFixtures.cars())], in: folder)
        try await server.test { client in
            _ = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", Self.rows)
            _ = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", Self.rows.replacingOccurrences(of: "\"male\"", with: "\"alien\""))
            _ = try await ServeRouterTests.post(client, "/v1/models/mpg/predict", "cylinders,displacement,horsepower,weight_in_lbs,acceleration,year,origin\n4,140,90,2264,15.5,1971,USA\n", contentType: "text/csv")
            _ = try await client.execute(uri: "/nowhere", method: .get)
            let text = try await client.execute(uri: "/metrics", method: .get).text
            for expected in [
                #"runner_http_requests_total{route="/v1/models/{name}/predict",method="POST",status="200"} 2"#,
                #"runner_http_requests_total{route="/v1/models/{name}/predict",method="POST",status="422"} 1"#,
                #"runner_http_requests_total{route="unmatched",method="GET",status="404"} 1"#,
                #"runner_predicted_rows_total{model="penguins"} 2"#,
                #"runner_predicted_class_total{model="penguins",class="Adelie"} 1"#,
                #"runner_predicted_class_total{model="penguins",class="Gentoo"} 1"#,
                #"runner_predicted_value_count{model="mpg"} 1"#,
                #"runner_schema_failures_total{model="penguins",column="sex"} 1"#,
                #"runner_model_info{model="penguins",version=""#,
                #"runner_model_load_seconds{model="mpg"}"#,
                #"runner_http_request_duration_seconds_bucket{route="/v1/models/{name}/predict",le="+Inf"} 3"#,
                "runner_http_requests_in_flight 1",
            ] {
                XCTAssertTrue(text.contains(expected), "missing: \(expected)\n\(text)")
            }
        }
    }

    /// The sliding window's drift gauges: quiet for rows like the training data, up (and the
    /// column flagged) once shifted rows arrive.
    func testDriftGaugesMoveWithShiftedRows() async throws {
        let (server, _) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder)
        let csv = try String(contentsOfFile: ServeFixtures.penguinsCSV, encoding: .utf8)
        var lines = csv.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        let mass = try XCTUnwrap(header.firstIndex(of: "body_mass_g"))
        let complete = lines.filter { !$0.split(separator: ",", omittingEmptySubsequences: false).contains("") && !$0.contains("NA") }
        let shifted = complete.map { line -> String in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[mass] = String(Double(fields[mass])! * 1.6)
            return fields.joined(separator: ",")
        }
        @Sendable func gauge(_ text: String, _ series: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
        }
        try await server.test { client in
            let before = try await client.execute(uri: "/metrics", method: .get).text
            XCTAssertFalse(before.contains("runner_feature_drift"), "no rows yet, no drift series")
            let normal = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", ([header.joined(separator: ",")] + complete).joined(separator: "\n") + "\n", contentType: "text/csv")
            XCTAssertEqual(normal.status, .ok)
            let quiet = try await client.execute(uri: "/metrics", method: .get).text
            let quietStatistic = try XCTUnwrap(gauge(quiet, #"runner_feature_drift{model="penguins",feature="body_mass_g",statistic="ks"}"#), quiet)
            XCTAssertEqual(gauge(quiet, #"runner_feature_drift_detected{model="penguins",feature="body_mass_g"}"#), 0)
            XCTAssertEqual(gauge(quiet, #"runner_drift_window_rows{model="penguins"}"#), Double(complete.count))
            for _ in 0..<3 {
                let moved = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", ([header.joined(separator: ",")] + shifted).joined(separator: "\n") + "\n", contentType: "text/csv")
                XCTAssertEqual(moved.status, .ok)
            }
            let loud = try await client.execute(uri: "/metrics", method: .get).text
            let loudStatistic = try XCTUnwrap(gauge(loud, #"runner_feature_drift{model="penguins",feature="body_mass_g",statistic="ks"}"#), loud)
            XCTAssertGreaterThan(loudStatistic, quietStatistic + 0.3, loud)
            XCTAssertEqual(gauge(loud, #"runner_feature_drift_detected{model="penguins",feature="body_mass_g"}"#), 1)
            XCTAssertEqual(gauge(loud, #"runner_feature_drift_detected{model="penguins",feature="bill_depth_mm"}"#), 0)
            XCTAssertEqual(gauge(loud, #"runner_drift_status{model="penguins"}"#), 2)
            XCTAssertEqual(gauge(loud, #"runner_drift_window_rows{model="penguins"}"#), 1000, "the window keeps the newest 1,000 rows")
        }
    }

    func testAccessLogIsJSONWithTheRequestID() async throws {
        let (server, log) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder)
        try await server.test { client in
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Request-Id")!] = "trace-42.a:b"
            let given = try await client.execute(uri: "/v2", method: .get, headers: headers)
            XCTAssertEqual(given.headers[HTTPField.Name("X-Request-Id")!], "trace-42.a:b")
            headers[HTTPField.Name("X-Request-Id")!] = "bad id\" with quotes"
            let replaced = try await client.execute(uri: "/v2", method: .get, headers: headers)
            let generated = try XCTUnwrap(replaced.headers[HTTPField.Name("X-Request-Id")!])
            XCTAssertEqual(generated.count, 32)
            XCTAssertTrue(generated.allSatisfy(\.isHexDigit))
        }
        let requests = log.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.filter { $0["msg"] as? String == "request" }
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests[0]["request_id"] as? String, "trace-42.a:b")
        XCTAssertEqual(requests[0]["route"] as? String, "/v2")
        XCTAssertEqual(requests[0]["status"] as? Int, 200)
        XCTAssertEqual(requests[0]["method"] as? String, "GET")
        XCTAssertNotNil(requests[0]["duration_ms"] as? Double)
        XCTAssertNotNil(requests[0]["time"] as? String)
        XCTAssertEqual(requests[1]["request_id"] as? String, requests[1]["request_id"] as? String)
        XCTAssertEqual((requests[1]["request_id"] as? String)?.count, 32)
    }

    func testPredictionLogWritesOneLinePerRowAndRotates() async throws {
        let directory = folder.appendingPathComponent("predictions").path
        let (server, _) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder) {
            $0.predictionLog = PredictionLog.Settings(directory: directory, maximumFileBytes: 4096, keptFiles: 2)
        }
        try await server.test { client in
            for index in 0..<20 {
                let response = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", Self.rows, headers: [("X-Request-Id", "r\(index)")])
                XCTAssertEqual(response.status, .ok)
            }
        }
        server.predictionLog?.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertTrue(files.contains("predictions.jsonl"))
        XCTAssertEqual(files.filter { $0.hasPrefix("predictions-") }.count, 2, "\(files)")
        let current = try String(contentsOfFile: directory + "/predictions.jsonl", encoding: .utf8).split(separator: "\n")
        let last = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(current.last).utf8)) as? [String: Any])
        XCTAssertEqual(last["request_id"] as? String, "r19")
        XCTAssertEqual(last["model"] as? String, "penguins")
        XCTAssertEqual(last["row"] as? Int, 2)
        XCTAssertEqual(last["output"] as? String, "Gentoo")
        XCTAssertEqual((last["inputs"] as? [String: Any])?["island"] as? String, "Biscoe")
        XCTAssertEqual((last["inputs"] as? [String: Any])?["body_mass_g"] as? Int, 4550)
        XCTAssertNotNil((last["probabilities"] as? [String: Double])?["Gentoo"])
        XCTAssertEqual(last["sha256"] as? String, server.repository.loadedModels.first?.digest)
        for line in current { XCTAssertLessThan(line.utf8.count, 4096) }
        let text = server.metrics.text
        XCTAssertTrue(String(decoding: text, as: UTF8.self).contains("runner_prediction_log_rows_total 40"))
    }

    func testPredictionLogDropsRowsWhenItsBufferIsFullAndCountsThem() throws {
        let dropped = Counter()
        let log = try PredictionLog(settings: PredictionLog.Settings(directory: folder.appendingPathComponent("p").path, bufferBytes: 100),
                                    onDropped: { dropped.add($0) })
        log.append([Array(repeating: UInt8(ascii: "x"), count: 500)])
        log.close()
        log.append([Array("{}".utf8)])
        XCTAssertEqual(dropped.value, 2)
    }

    func testPredictionLogCountsRowsTheDiskRefuses() throws {
        // /dev/full (on every Linux system) refuses every write with ENOSPC, as a full disk does.
        let directory = folder.appendingPathComponent("full").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/predictions.jsonl", withDestinationPath: "/dev/full")
        let dropped = Counter(), written = Counter()
        let log = try PredictionLog(settings: PredictionLog.Settings(directory: directory), onWritten: { written.add($0) }, onDropped: { dropped.add($0) })
        log.append([Array("{\"row\":1}".utf8), Array("{\"row\":2}".utf8)])
        log.close()
        XCTAssertEqual(dropped.value, 2)
        XCTAssertEqual(written.value, 0)
    }

    func testAdminReloadSwapsTheModelAndABrokenFileKeepsTheOldOne() async throws {
        let path = try keysFile([APIKeys.newKey(name: "x", admin: false).line])
        _ = path
        let admin = APIKeys.newKey(name: "ops", admin: true)
        let keys = try keysFile([admin.line])
        let (server, _) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder) { $0.apiKeysFile = keys }
        let bundlePath = try XCTUnwrap(server.repository.sources.first?.path)
        let forest = try ServeFixtures.penguins(model: ModelConfig(RandomForestConfig(trees: 5, settings: TreeSettings(criterion: .gini, maxDepth: 3, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: .sqrt, balanced: false), seed: 3)))
        try await server.test { client in
            let before = try await client.execute(uri: "/v2/models/penguins", method: .get, headers: [.xAPIKey: admin.key])
            let oldVersion = try XCTUnwrap((before.json["versions"] as? [String])?.first)
            try ServeFixtures.write(forest, to: bundlePath)
            let reload = try await ServeRouterTests.post(client, "/v2/repository/models/penguins/load", "", headers: [("X-API-Key", admin.key)])
            XCTAssertEqual(reload.status, .ok, reload.text)
            XCTAssertEqual(reload.json["changed"] as? Bool, true)
            let newVersion = try XCTUnwrap(reload.json["version"] as? String)
            XCTAssertNotEqual(newVersion, oldVersion)
            let after = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", Self.rows, headers: [("X-API-Key", admin.key)])
            XCTAssertEqual(after.json["model_version"] as? String, newVersion)

            try Data("not a bundle".utf8).write(to: URL(fileURLWithPath: bundlePath))
            let broken = try await ServeRouterTests.post(client, "/v2/repository/models/penguins/load", "", headers: [("X-API-Key", admin.key)])
            XCTAssertEqual(broken.status, .conflict)
            XCTAssertTrue((broken.json["error"] as? String)?.hasSuffix("; still serving version \(newVersion)") == true, broken.text)
            let still = try await ServeRouterTests.post(client, "/v1/models/penguins/predict", Self.rows, headers: [("X-API-Key", admin.key)])
            XCTAssertEqual(still.status, .ok)
            XCTAssertEqual(still.json["model_version"] as? String, newVersion)
            let unknown = try await ServeRouterTests.post(client, "/v2/repository/models/nope/load", "", headers: [("X-API-Key", admin.key)])
            XCTAssertEqual(unknown.status, .notFound)
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            XCTAssertTrue(metrics.contains(#"runner_model_reload_failures_total{model="penguins"} 1"#))
            XCTAssertTrue(metrics.contains(#"runner_model_info{model="penguins",version="\#(newVersion)""#))
            XCTAssertFalse(metrics.contains(#"runner_model_info{model="penguins",version="\#(oldVersion)""#))
        }
    }

    func testOpenAPIDocumentIsTheFileAndListsEveryRoute() async throws {
        let file = try String(contentsOfFile: ServeFixtures.repository.appendingPathComponent("schemas/openapi.yaml").path, encoding: .utf8)
        XCTAssertEqual(OpenAPIDocument.yaml + "\n", file, "schemas/openapi.yaml changed: run scripts/update-openapi")
        let document = try XCTUnwrap(try Yams.load(yaml: file) as? [String: Any])
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "delete", "patch"].contains(method) { documented.insert("\(method.uppercased()) \(path)") }
        }
        let (server, _) = try ServeFixtures.server([("", try ServeFixtures.penguins())], in: folder)
        let routed = Set(server.routes)
        XCTAssertEqual(documented, routed, "only documented: \(documented.subtracting(routed)); only routed: \(routed.subtracting(documented))")
        try await server.test { client in
            let served = try await client.execute(uri: "/openapi.yaml", method: .get)
            XCTAssertEqual(served.text + "\n", file)
        }
    }

    func testConfigurationFromFlagsThenEnvironment() throws {
        var flags = ServeConfiguration.Flags()
        flags.bundles = ["a=x.bundle", "y.bundle"]
        flags.port = 9000
        let environment = ["RUNNER_SERVE_PORT": "7000", "RUNNER_SERVE_HOST": "0.0.0.0", "RUNNER_SERVE_KEY_FILE": "/run/secrets/key",
                           "RUNNER_SERVE_MAX_BODY_BYTES": "4096", "RUNNER_SERVE_OPEN": "health", "RUNNER_SERVE_LOG_PREDICTIONS": "/var/log/p", "RUNNER_SERVE_LOG_SAMPLE": "0.25"]
        let configuration = try ServeConfiguration.resolve(flags, environment: environment)
        XCTAssertEqual(configuration.models, [.init(name: "a", path: "x.bundle"), .init(name: "", path: "y.bundle")])
        XCTAssertEqual(configuration.port, 9000)
        XCTAssertEqual(configuration.host, "0.0.0.0")
        XCTAssertEqual(configuration.bundleKey, .file("/run/secrets/key"))
        XCTAssertEqual(configuration.maxBodyBytes, 4096)
        XCTAssertEqual(configuration.openEndpoints, [.health])
        XCTAssertEqual(configuration.predictionLog?.sampleRate, 0.25)

        let fromEnvironment = try ServeConfiguration.resolve(ServeConfiguration.Flags(), environment: ["RUNNER_SERVE_BUNDLES": "m=/models/a.bundle /models/b.bundle"])
        XCTAssertEqual(fromEnvironment.models.map(\.path), ["/models/a.bundle", "/models/b.bundle"])

        let failures: [(ServeConfiguration.Flags, [String: String], String)] = [
            (ServeConfiguration.Flags(), [:], "no bundle to serve: give BUNDLE paths (or NAME=PATH), or set RUNNER_SERVE_BUNDLES"),
            (flags, ["RUNNER_SERVE_KEY_ENV": "K", "RUNNER_SERVE_KEY_FILE": "f"], "give the bundle key one way: RUNNER_SERVE_KEY_ENV or RUNNER_SERVE_KEY_FILE, not both"),
            (flags, ["RUNNER_SERVE_TLS_CERT": "c.pem"], "TLS needs both --tls-cert and --tls-key (or RUNNER_SERVE_TLS_CERT and RUNNER_SERVE_TLS_KEY)"),
            (flags, ["RUNNER_SERVE_WORKERS": "many"], "RUNNER_SERVE_WORKERS must be a whole number, not 'many'"),
            (flags, ["RUNNER_SERVE_REQUEST_TIMEOUT": "0"], "RUNNER_SERVE_REQUEST_TIMEOUT must be between 0.001 and 86400.0, not 0.0"),
            (flags, ["RUNNER_SERVE_OPEN": "health,admin"], "RUNNER_SERVE_OPEN: unknown endpoint group 'admin'; use a comma-separated list of health, metrics, openapi, or none"),
        ]
        for (given, environment, message) in failures {
            XCTAssertThrowsError(try ServeConfiguration.resolve(given, environment: environment)) { XCTAssertEqual("\($0)", message) }
        }
        var badName = ServeConfiguration.Flags()
        badName.bundles = ["a b=x.bundle"]
        XCTAssertThrowsError(try ServeConfiguration.resolve(badName, environment: [:])) {
            XCTAssertEqual("\($0)", "model name 'a b' may hold only letters, digits, '.', '_' and '-' (it is part of URLs)")
        }
    }

    func testBundlesThatDoNotLoadStopTheStartWithTheirName() throws {
        let path = folder.appendingPathComponent("broken.bundle").path
        try Data("zip?".utf8).write(to: URL(fileURLWithPath: path))
        let server = try ModelServer(configuration: ServeConfiguration(models: [.init(name: "m", path: path)]), logOutput: .capturing())
        XCTAssertThrowsError(try server.loadModels()) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot serve model 'm' from \(path): "), "\(error)")
        }
        XCTAssertFalse(server.repository.isReady)
        let key = BundleKeys.newEncryptionKey()
        let encrypted = folder.appendingPathComponent("secret.bundle").path
        try ServeFixtures.penguins().encoded(encryptionKey: BundleKeys.encryptionKey(key)).write(to: URL(fileURLWithPath: encrypted))
        let noKey = try ModelServer(configuration: ServeConfiguration(models: [.init(name: "", path: encrypted)]), logOutput: .capturing())
        XCTAssertThrowsError(try noKey.loadModels()) { XCTAssertTrue("\($0)".hasSuffix("the bundle is encrypted: give its key with --key-env NAME or --key-file PATH"), "\($0)") }
        let keyFile = folder.appendingPathComponent("key").path
        try key.write(toFile: keyFile, atomically: true, encoding: .utf8)
        var configuration = ServeConfiguration(models: [.init(name: "", path: encrypted)])
        configuration.bundleKey = .file(keyFile)
        let withKey = try ModelServer(configuration: configuration, logOutput: .capturing())
        try withKey.loadModels()
        XCTAssertEqual(withKey.repository.loadedModels.map(\.name), ["penguins"])
    }

    func testNotReadyUntilEveryBundleIsLoaded() async throws {
        let path = folder.appendingPathComponent("penguins.bundle").path
        try ServeFixtures.write(try ServeFixtures.penguins(), to: path)
        let server = try ModelServer(configuration: ServeConfiguration(models: [.init(name: "", path: path), .init(name: "named", path: path)]), logOutput: .capturing())
        try await server.test { client in
            let ready = try await client.execute(uri: "/v2/health/ready", method: .get)
            XCTAssertEqual(ready.status, .serviceUnavailable)
            XCTAssertEqual(ready.json["ready"] as? Bool, false)
            let live = try await client.execute(uri: "/v2/health/live", method: .get)
            XCTAssertEqual(live.status, .ok)
            let loading = try await client.execute(uri: "/v2/models/named", method: .get)
            XCTAssertEqual(loading.status, .serviceUnavailable)
            XCTAssertEqual(loading.json["error"] as? String, "model 'named' is still loading; GET /v2/health/ready says when every model is in")
            try server.loadModels()
            let after = try await client.execute(uri: "/v2/health/ready", method: .get)
            XCTAssertEqual(after.status, .ok)
            let model = try await client.execute(uri: "/v2/models/named", method: .get)
            XCTAssertEqual(model.status, .ok)
        }
    }

    func testATrustedKeyAdmitsOnlyBundlesItSigned() async throws {
        let signer = BundleKeys.newSigningKey(), stranger = BundleKeys.newSigningKey()
        let trusted = folder.appendingPathComponent("trusted.pub.pem").path
        try BundleKeys.pem(signer.publicKey).write(toFile: trusted, atomically: true, encoding: .utf8)
        let penguins = try ServeFixtures.penguins()
        let path = folder.appendingPathComponent("penguins.bundle").path
        func serve() throws -> ModelServer {
            var configuration = ServeConfiguration(models: [.init(name: "", path: path)])
            configuration.trustedKeyFile = trusted
            return try ModelServer(configuration: configuration, logOutput: .capturing())
        }
        try penguins.encoded().write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try serve().loadModels()) { XCTAssertEqual("\($0)", "cannot serve model '' from \(path): \(path) is not signed") }
        try penguins.encoded(signingKey: stranger).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try serve().loadModels()) {
            XCTAssertEqual("\($0)", "cannot serve model '' from \(path): \(path) is signed by a different key than \(trusted)")
        }
        try penguins.encoded(signingKey: signer).write(to: URL(fileURLWithPath: path))
        let server = try serve()
        try server.loadModels()
        // A reload of a bundle the key did not sign keeps the signed one serving.
        try penguins.encoded().write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try server.repository.reload("penguins")) { error in
            XCTAssertEqual((error as? ServeError)?.status, .conflict)
            XCTAssertTrue("\(error)".contains("is not signed; still serving version"), "\(error)")
        }
        XCTAssertEqual(server.repository.loadedModels.count, 1)
        var missing = ServeConfiguration(models: [.init(name: "", path: path)])
        missing.trustedKeyFile = folder.appendingPathComponent("nope.pem").path
        XCTAssertThrowsError(try ModelServer(configuration: missing, logOutput: .capturing())) {
            XCTAssertEqual("\($0)", "cannot read \(missing.trustedKeyFile!)")
        }
    }

    func testTwoBundlesWithOneNameAreRefused() throws {
        let first = folder.appendingPathComponent("a.bundle").path, second = folder.appendingPathComponent("b.bundle").path
        try ServeFixtures.write(try ServeFixtures.penguins(), to: first)
        try ServeFixtures.write(try ServeFixtures.penguins(), to: second)
        let server = try ModelServer(configuration: ServeConfiguration(models: [.init(name: "", path: first), .init(name: "", path: second)]), logOutput: .capturing())
        XCTAssertThrowsError(try server.loadModels()) {
            XCTAssertEqual("\($0)", "two bundles would both be served as 'penguins' (\(first) and \(second)); name them: NAME=PATH")
        }
    }
}

/// A count several threads add to.
private final class Counter: Sendable {
    private let total = Mutex(0)
    func add(_ amount: Int) { total.withLock { $0 += amount } }
    var value: Int { total.withLock { $0 } }
}

import Synchronization

/// The request deadline: work that never ends gets 503 at the deadline; work that ends first
/// gets its answer.
final class ServeDeadlineTests: XCTestCase {
    func testWorkThatNeverEndsIsAnswered503AtTheDeadline() async throws {
        do {
            _ = try await ServerResponder<Router<ServeContext>.Responder>.withDeadline(.milliseconds(20)) {
                // Waits until cancelled, which only the deadline does.
                try await Task.sleep(for: .seconds(3600))
                return Response(status: .ok)
            }
            XCTFail("the deadline did not answer")
        } catch let error as ServeError {
            XCTAssertEqual(error.status, .serviceUnavailable)
            XCTAssertEqual(error.message, "the request took longer than the server's limit (--request-timeout 0.02 s); send fewer rows per request")
        }
    }

    func testWorkThatEndsFirstIsTheAnswer() async throws {
        for _ in 0..<100 {
            let response = try await ServerResponder<Router<ServeContext>.Responder>.withDeadline(.seconds(3600)) { Response(status: .accepted) }
            XCTAssertEqual(response.status, .accepted)
        }
        do {
            _ = try await ServerResponder<Router<ServeContext>.Responder>.withDeadline(.seconds(3600)) { throw ServeError.badRequest("no") }
            XCTFail("the error was lost")
        } catch let error as ServeError {
            XCTAssertEqual(error.message, "no")
        }
    }
}
