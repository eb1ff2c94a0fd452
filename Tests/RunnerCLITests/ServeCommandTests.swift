import Foundation
import XCTest

/// `runner serve` as a process on loopback: a third-party client (tritonclient), schemathesis
/// against the served OpenAPI document, TLS, reload under load and SIGTERM during a request.
final class ServeCommandTests: XCTestCase {
    private var folder: URL!

    private static let spec = """
        version: 1
        name: served
        data: {source: data/penguins.csv, target: species, drop: [year]}
        preprocess:
          - impute: {columns: numeric}
          - impute: {columns: categorical, strategy: most_frequent}
          - one_hot: {columns: categorical, handle_unknown: ignore}
          - scale: {columns: numeric}
        models:
          - {name: forest, type: random_forest, params: {n_estimators: 20, max_depth: 6}}
        search: {cv: 2}
        package:
          formats: [bundle]
          encrypt: {key_file: bundle.key}
        """

    private static let body = #"[{"island":"Torgersen","bill_length_mm":39.1,"bill_depth_mm":18.7,"flipper_length_mm":181,"body_mass_g":3750,"sex":"male"},{"island":"Biscoe","bill_length_mm":46.5,"bill_depth_mm":13.5,"flipper_length_mm":210,"body_mass_g":4550,"sex":"female"}]"#

    override func setUpWithError() throws {
        folder = try RunnerProcess.experimentFolder(spec: Self.spec)
        let key = try RunnerProcess.run(["keygen"], in: folder)
        try key.stdout.write(to: folder.appendingPathComponent("bundle.key"), atomically: true, encoding: .utf8)
        let run = try RunnerProcess.run(["run", "exp.yaml", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        try Self.body.write(to: folder.appendingPathComponent("body.json"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private var bundle: String { folder.appendingPathComponent("out/served/model.bundle").path }
    private var keyFile: String { folder.appendingPathComponent("bundle.key").path }

    private func serve(_ arguments: [String]) throws -> ServeProcess {
        let server = try ServeProcess(arguments, in: folder)
        try server.waitUntilLoaded(1)
        return server
    }

    func testTritonClientReadsMetadataAndPredictsAsRunnerPredict() throws {
        let python = try ReferencePython.interpreter(importing: ["tritonclient.http", "numpy"])
        // Rows the model was not fitted on in this form: the last 60 of the file, extra columns and all.
        let lines = try String(contentsOf: folder.appendingPathComponent("data/penguins.csv"), encoding: .utf8).split(separator: "\n")
        try ([String(lines[0])] + lines.suffix(60).map(String.init)).joined(separator: "\n").appending("\n")
            .write(to: folder.appendingPathComponent("rows.csv"), atomically: true, encoding: .utf8)
        let predicted = try RunnerProcess.run(["predict", bundle, "rows.csv", "--proba", "--key-file", keyFile, "--out", "expected.csv"], in: folder)
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        let server = try serve([bundle, "--key-file", keyFile])
        let check = try ReferencePython.run(python, script: "triton_client_check.py",
                                            ["127.0.0.1:\(server.port)", "served", folder.appendingPathComponent("rows.csv").path, folder.appendingPathComponent("expected.csv").path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.hasPrefix("ok: 60 rows"), check.stdout)
        XCTAssertEqual(server.stop(), 0)
        // The key never reaches the log.
        let key = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(server.log.description.contains(key))
    }

    func testSchemathesisFindsNoServerErrorAndNoResponseOutsideTheDocument() throws {
        let python = try ReferencePython.interpreter(importing: ["schemathesis"])
        let server = try serve([bundle, "--key-file", keyFile, "--open", "health,metrics,openapi"])
        let config = folder.appendingPathComponent("schemathesis.toml")
        // Generated requests name the served model, so they reach the model rather than 404.
        try "[parameters]\n\"path.name\" = \"served\"\n".write(to: config, atomically: true, encoding: .utf8)
        let schemathesis = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("schemathesis").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: schemathesis)
        // positive_data_acceptance is left out: a server-wide document cannot say which columns
        // each model needs, so schema-valid rows are rightly refused with 422.
        process.arguments = ["--config-file", config.path, "run", "\(server.url)/openapi.yaml", "--checks", "all",
                             "--exclude-checks", "positive_data_acceptance", "--max-examples", "40", "--generation-deterministic", "--no-color"]
        process.currentDirectoryURL = folder
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        let serverErrors = server.log.filter { ($0["status"] as? Int ?? 0) >= 500 }
        XCTAssertEqual(serverErrors.count, 0, "\(serverErrors.prefix(3))")
        XCTAssertGreaterThan(server.log.filter { $0["msg"] as? String == "request" }.count, 300)
        XCTAssertEqual(server.stop(), 0)
    }

    func testTLSWithACertificateMadeHere() throws {
        let python = try ReferencePython.interpreter(importing: ["ssl"])
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "tls.key",
                             "-out", "tls.pem", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        openssl.currentDirectoryURL = folder
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        XCTAssertEqual(openssl.terminationStatus, 0, "openssl could not make a certificate")
        let server = try serve([bundle, "--key-file", keyFile, "--tls-cert", "tls.pem", "--tls-key", "tls.key"])
        XCTAssertEqual(server.log.first { $0["msg"] as? String == "listening" }?["tls"] as? String, "true")
        let check = try ReferencePython.run(python, script: "https_check.py", [String(server.port), folder.appendingPathComponent("tls.pem").path, "served", folder.appendingPathComponent("body.json").path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertEqual(server.stop(), 0)

        let missing = try RunnerProcess.run(["serve", bundle, "--tls-cert", "tls.pem", "--tls-key", "nope.key"], in: folder)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("error: cannot read the TLS private key nope.key"), missing.stderr)
    }

    func testReloadUnderLoadFailsNoRequestAndSwitchesModels() throws {
        let python = try ReferencePython.interpreter(importing: ["json"])
        // The second model: the same experiment with another forest, packaged beside the first.
        let served = folder.appendingPathComponent("served.bundle").path
        try FileManager.default.copyItem(atPath: bundle, toPath: served)
        let other = try String(contentsOf: folder.appendingPathComponent("exp.yaml"), encoding: .utf8).replacingOccurrences(of: "n_estimators: 20", with: "n_estimators: 7")
        try other.write(to: folder.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        let run = try RunnerProcess.run(["run", "exp.yaml", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        let next = folder.appendingPathComponent("next.bundle").path
        try FileManager.default.copyItem(atPath: bundle, toPath: next)
        let server = try serve([served, "--key-file", keyFile])
        let check = try ReferencePython.run(python, script: "reload_under_load.py",
                                            [String(server.port), "served", folder.appendingPathComponent("body.json").path, served, next, String(server.process.processIdentifier)])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.hasPrefix("ok: "), check.stdout)
        XCTAssertEqual(server.stop(), 0)
        XCTAssertEqual(server.log.filter { $0["msg"] as? String == "model reloaded" }.first?["changed"] as? String, "true")
    }

    func testSigtermDuringARequestLetsItFinishThenExitsZero() throws {
        let python = try ReferencePython.interpreter(importing: ["http.client"])
        let server = try serve([bundle, "--key-file", keyFile])
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = [python, RunnerProcess.repository.appendingPathComponent("Tests/Fixtures/serve/slow_request.py").path,
                            String(server.port), "served", folder.appendingPathComponent("body.json").path]
        let input = Pipe(), output = Pipe()
        client.standardInput = input
        client.standardOutput = output
        client.standardError = FileHandle.nullDevice
        try client.run()
        // "in-flight": the server holds the request, half its body still to come.
        var received = Data()
        while !String(decoding: received, as: UTF8.self).contains("in-flight\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        XCTAssertTrue(String(decoding: received, as: UTF8.self).contains("in-flight"))
        kill(server.process.processIdentifier, SIGTERM)
        input.fileHandleForWriting.write(Data("go\n".utf8))
        received.append(output.fileHandleForReading.readDataToEndOfFile())
        client.waitUntilExit()
        let text = String(decoding: received, as: UTF8.self)
        XCTAssertTrue(text.contains("in-flight\n200\n"), text)
        XCTAssertTrue(text.contains("\"predictions\":["), text)
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0, server.stderr)
        XCTAssertNotNil(server.log.first { $0["msg"] as? String == "stopped" })
    }

    func testStartErrorsExitOneWithTheReason() throws {
        let missing = try RunnerProcess.run(["serve", "nope.bundle", "--port", "0"], in: folder)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("error: cannot serve model '' from nope.bundle: cannot read nope.bundle: no such file or directory"), missing.stderr)
        let none = try RunnerProcess.run(["serve"], in: folder)
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.stderr, "error: no bundle to serve: give BUNDLE paths (or NAME=PATH), or set RUNNER_SERVE_BUNDLES\n")
        let locked = try RunnerProcess.run(["serve", bundle, "--port", "0"], in: folder)
        XCTAssertEqual(locked.status, 1)
        XCTAssertTrue(locked.stderr.contains("the bundle is encrypted: give its key with --key-env NAME or --key-file PATH"), locked.stderr)
        let first = try serve([bundle, "--key-file", keyFile])
        let taken = try RunnerProcess.run(["serve", bundle, "--key-file", keyFile, "--port", String(first.port)], in: folder)
        XCTAssertEqual(taken.status, 1)
        XCTAssertEqual(taken.stderr, "error: cannot listen on 127.0.0.1:\(first.port): the address is in use (another server?); choose another --port\n")
        XCTAssertEqual(first.stop(), 0)
        let keys = try RunnerProcess.run(["keygen", "--api-key", "ci"], in: folder)
        XCTAssertEqual(keys.status, 0)
        XCTAssertTrue(keys.stderr.hasPrefix("add this line to the --api-keys file: "), keys.stderr)
    }
}
