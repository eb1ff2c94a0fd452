import Foundation
import Learn
import Packaging
import XCTest

/// `runner keygen`, a run that packages an encrypted, signed bundle, `runner predict`,
/// `runner bundle inspect` and `runner bundle verify`, as a user runs them.
final class BundleCommandTests: XCTestCase {
    private var folder: URL!

    private static let spec = """
        version: 1
        name: packaged
        data: {source: data/penguins.csv, target: species, drop: [year]}
        preprocess:
          - impute: {columns: numeric}
          - impute: {columns: categorical, strategy: most_frequent}
          - one_hot: {columns: categorical, handle_unknown: ignore}
          - scale: {columns: numeric}
        models:
          - {name: logreg, type: logistic_regression}
        search: {cv: 3}
        package:
          formats: [bundle, onnx]
          encrypt: {key_file: bundle.key}
          sign: {key_file: signing.pem}
        """

    override func setUpWithError() throws {
        folder = try RunnerProcess.experimentFolder(spec: Self.spec)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func runner(_ arguments: String...) throws -> RunnerProcess.Outcome {
        try RunnerProcess.run(arguments, in: folder)
    }

    private func prepareKeys() throws {
        let key = try runner("keygen")
        XCTAssertEqual(key.status, 0, key.stderr)
        XCTAssertEqual(Data(base64Encoded: key.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?.count, 32)
        try key.stdout.write(to: folder.appendingPathComponent("bundle.key"), atomically: true, encoding: .utf8)
        let signing = try runner("keygen", "--signing", "--out", "signing.pem")
        XCTAssertEqual(signing.status, 0, signing.stderr)
        XCTAssertEqual(try runner("keygen", "--signing", "--out", "signing.pem").status, 1, "never overwrites a key")
    }

    func testPackagedBundlePredictsOnlyWithItsKeyAndVerifies() throws {
        try prepareKeys()
        let run = try runner("run", "exp.yaml", "--quiet")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("package: out/packaged/model.bundle"), run.stdout)
        XCTAssertTrue(run.stdout.contains("package: out/packaged/model.onnx"), run.stdout)
        let onnx = try Data(contentsOf: folder.appendingPathComponent("out/packaged/model.onnx"))
        XCTAssertGreaterThan(onnx.count, 100)
        // A warm rerun reuses the packages; a cold run in a fresh store rebuilds the same bytes
        // (encrypted and signed bundles are reproducible: the nonce derives from key and content).
        let sealed = try Data(contentsOf: folder.appendingPathComponent("out/packaged/model.bundle"))
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("out/packaged/model.bundle")), sealed)
        let fresh = try runner("run", "exp.yaml", "--quiet", "--store", "fresh-store", "--out", "fresh-out")
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("fresh-out/model.bundle")), sealed, "the same spec, data and keys give the same bundle bytes")
        let bundle = "out/packaged/model.bundle"

        let refused = try runner("predict", bundle, "data/penguins.csv")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("the bundle is encrypted"), refused.stderr)
        let otherKey = try runner("keygen").stdout
        try otherKey.write(to: folder.appendingPathComponent("other.key"), atomically: true, encoding: .utf8)
        let wrong = try runner("predict", bundle, "data/penguins.csv", "--key-file", "other.key")
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("cannot decrypt bundle: wrong key or damaged file"), wrong.stderr)

        let predicted = try runner("predict", bundle, "data/penguins.csv", "--key-file", "bundle.key", "--proba", "--out", "predictions.csv")
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        XCTAssertTrue(predicted.stderr.contains("warning: data/penguins.csv: ignoring 2 columns the model does not use: year, species"), predicted.stderr)
        let lines = try String(contentsOf: folder.appendingPathComponent("predictions.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 345, "header and one line per row")
        XCTAssertEqual(lines[0], "prediction,proba_Adelie,proba_Chinstrap,proba_Gentoo")

        let inspect = try runner("bundle", "inspect", bundle, "--key-file", "bundle.key")
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("model: logreg (logistic_regression)"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("island             categorical  Biscoe, Dream, Torgersen"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("signature: Ed25519, intact"), inspect.stdout)

        let verified = try runner("bundle", "verify", bundle, "--public-key", "signing.pub.pem", "--key-file", "bundle.key")
        XCTAssertEqual(verified.status, 0, verified.stderr)
        try runner("keygen", "--signing", "--out", "stranger.pem").stdout.write(to: folder.appendingPathComponent("ignored.txt"), atomically: true, encoding: .utf8)
        let stranger = try runner("bundle", "verify", bundle, "--public-key", "stranger.pub.pem", "--key-file", "bundle.key")
        XCTAssertEqual(stranger.status, 1)
        XCTAssertTrue(stranger.stderr.contains("signed by a different key"), stranger.stderr)

        // One flipped byte anywhere in the encrypted file: refused with the same message.
        let path = folder.appendingPathComponent(bundle)
        var bytes = [UInt8](try Data(contentsOf: path))
        bytes[bytes.count / 2] ^= 0x04
        try Data(bytes).write(to: path)
        let damaged = try runner("predict", bundle, "data/penguins.csv", "--key-file", "bundle.key")
        XCTAssertEqual(damaged.status, 1)
        XCTAssertTrue(damaged.stderr.contains("cannot decrypt bundle: wrong key or damaged file"), damaged.stderr)
    }

    /// `--out` names a device or a FIFO: written in place, never replaced by a plain file
    /// (an atomic rename onto /dev/null would swap the device node for a file); a symbolic
    /// link stays a link, its target gets the output.
    func testOutputToAFIFOOrALinkKeepsWhatItIs() throws {
        try prepareKeys()
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        let fifo = folder.appendingPathComponent("predictions.fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let received = FileManager.default.temporaryDirectory.appendingPathComponent("runner-fifo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: received) }
        // The reader drains the FIFO while runner writes into it.
        let reader = Thread {
            guard let handle = FileHandle(forReadingAtPath: fifo) else { return }
            try? handle.readDataToEndOfFile().write(to: received)
        }
        reader.start()
        let written = try runner("predict", "out/packaged/model.bundle", "data/penguins.csv", "--key-file", "bundle.key", "--out", fifo)
        XCTAssertEqual(written.status, 0, written.stderr)
        var info = stat()
        XCTAssertEqual(lstat(fifo, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "still a FIFO")
        // The reader thread finishes when runner closes the FIFO (the limit only stops a hang).
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: received.path) { usleep(50_000) }
        XCTAssertTrue((try? String(contentsOf: received, encoding: .utf8))?.hasPrefix("prediction\n") == true)

        try "old".write(to: folder.appendingPathComponent("real.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link.csv").path, withDestinationPath: "real.csv")
        XCTAssertEqual(try runner("predict", "out/packaged/model.bundle", "data/penguins.csv", "--key-file", "bundle.key", "--out", "link.csv").status, 0)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("link.csv").path), "real.csv")
        XCTAssertTrue(try String(contentsOf: folder.appendingPathComponent("real.csv"), encoding: .utf8).hasPrefix("prediction\n"))
    }

    func testAMissingKeyFailsBeforeTraining() throws {
        let run = try runner("run", "exp.yaml", "--quiet")
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("cannot read the key file"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".runner/stages").path)
                       && ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(".runner/stages").path)) ?? []).count > 0,
                       "nothing ran")
    }

    func testPredictReportsBadInput() throws {
        try Self.spec.components(separatedBy: "package:")[0].write(to: folder.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        let bundle = "out/packaged/model.bundle"
        try "island,bill_length_mm,bill_depth_mm,flipper_length_mm,sex\nBiscoe,45.1,14.5,215,female\n".write(to: folder.appendingPathComponent("missing.csv"), atomically: true, encoding: .utf8)
        let missing = try runner("predict", bundle, "missing.csv")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("column 'body_mass_g' is missing"), missing.stderr)
        try "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\nAtlantis,45.1,14.5,215,5000,female\nDream,39,18.7,185,heavy,male\n".write(to: folder.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try runner("predict", bundle, "bad.csv")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("bad.csv:3:19: error: column 'body_mass_g' is numeric"), bad.stderr)
        try "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\nAtlantis,45.1,14.5,215,5000,female\n".write(to: folder.appendingPathComponent("new.csv"), atomically: true, encoding: .utf8)
        let unseen = try runner("predict", bundle, "new.csv")
        XCTAssertEqual(unseen.status, 0, "handle_unknown: ignore: \(unseen.stderr)")
        XCTAssertEqual(unseen.stdout.split(separator: "\n").count, 2)
        let inspect = try runner("bundle", "inspect", bundle)
        XCTAssertTrue(inspect.stdout.contains("signature: none"), inspect.stdout)
        XCTAssertEqual(try runner("bundle", "verify", bundle, "--public-key", "nothing.pem").status, 1)
        // Endless sources are refused at once instead of exhausting memory.
        let device = try runner("predict", bundle, "/dev/zero")
        XCTAssertEqual(device.status, 1)
        XCTAssertTrue(device.stderr.contains("/dev/zero: error: is a device, not a data file"), device.stderr)
        let deviceBundle = try runner("predict", "/dev/zero", "new.csv")
        XCTAssertEqual(deviceBundle.status, 1)
        XCTAssertTrue(deviceBundle.stderr.contains("/dev/zero is not a regular file, so not a bundle"), deviceBundle.stderr)
        let inspectDevice = try runner("inspect", "/dev/zero")
        XCTAssertEqual(inspectDevice.status, 1)
        XCTAssertTrue(inspectDevice.stderr.contains("is a device, not a data file"), inspectDevice.stderr)
    }

    /// A hand-edited bundle whose digests were recomputed passes the archive checks; its
    /// structure is checked before use, so predict and export refuse it instead of crashing.
    func testAnInconsistentBundleIsRefusedByEveryCommand() throws {
        try Self.spec.components(separatedBy: "package:")[0].write(to: folder.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try runner("run", "exp.yaml", "--quiet").status, 0)
        var bundle = try ModelBundle.decode(try Data(contentsOf: folder.appendingPathComponent("out/packaged/model.bundle"))).bundle
        let scale = try XCTUnwrap(bundle.pipeline.steps.lastIndex { $0.kindName == "scale" })
        guard case .scale(let columns, let offsets, _) = bundle.pipeline.steps[scale] else { return XCTFail() }
        bundle.pipeline.steps[scale] = .scale(columns: columns, offsets: offsets, scales: [])
        try bundle.encoded().write(to: folder.appendingPathComponent("edited.bundle"))
        for arguments in [["predict", "edited.bundle", "data/penguins.csv"], ["bundle", "export-onnx", "edited.bundle", "--out", "m.onnx"], ["bundle", "inspect", "edited.bundle"]] {
            let result = try RunnerProcess.run(arguments, in: folder)
            XCTAssertEqual(result.status, 1, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("error: edited.bundle: invalid bundle: preprocessing step \(scale + 1) (scale): \(columns.count) columns but \(offsets.count) offsets and 0 scales"), result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.onnx").path), "nothing half written")
    }

    func testValidateWarnsWhenAModelHasNoONNXForm() throws {
        let spec = Self.spec.components(separatedBy: "package:")[0]
            .replacingOccurrences(of: "  - {name: logreg, type: logistic_regression}", with: "  - {name: logreg, type: logistic_regression}\n  - {name: knn, type: k_neighbors}")
            + "package: {formats: [bundle, onnx]}\n"
        try spec.write(to: folder.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        let result = try runner("validate", "exp.yaml")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("exp.yaml:11:23: warning: k_neighbors has no ONNX export: if 'knn' wins, packaging fails"), result.stderr)
    }
}
