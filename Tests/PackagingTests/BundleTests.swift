import Crypto
import Foundation
import XCTest
@testable import Packaging
import Learn
import Tabular

/// Bundles round-trip every model family exactly, refuse damage and wrong keys, and check new
/// data against the input schema.
final class BundleTests: XCTestCase {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("experiments/data")

    struct Case {
        var file: String
        var target: String
        var task: LearningTask
    }

    static let classification = [Case(file: "penguins.csv", target: "species", task: .classification),
                                 Case(file: "iris.csv", target: "species", task: .classification),
                                 Case(file: "titanic.csv", target: "survived", task: .classification)]
    static let regression = [Case(file: "cars.csv", target: "miles_per_gallon", task: .regression)]

    static let steps: [PreprocessingConfig] = [
        .impute(columns: .numeric, strategy: .median, fillValue: nil),
        .impute(columns: .categorical, strategy: .mostFrequent, fillValue: nil),
        .oneHot(columns: .categorical, ignoreUnknown: true, drop: .none),
        .scale(columns: .numeric, method: .standard),
    ]

    static func models(for task: LearningTask) -> [ModelConfig] {
        let tree = TreeSettings(criterion: task == .classification ? .gini : .squaredError, maxDepth: 6, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: .all, balanced: false)
        var models: [ModelConfig] = [
            ModelConfig(KNeighborsConfig(neighbors: 5)),
            ModelConfig(DecisionTreeConfig(settings: tree, seed: 1)),
            ModelConfig(RandomForestConfig(trees: 20, settings: tree, seed: 1)),
            ModelConfig(HistGradientBoostingConfig(maxIterations: 30, seed: 1)),
        ]
        models += task == .classification
            ? [ModelConfig(LogisticRegressionConfig()), ModelConfig(GaussianNBConfig())]
            : [ModelConfig(LinearRegressionConfig()), ModelConfig(RidgeConfig(alpha: 1)), ModelConfig(LassoConfig(alpha: 0.1))]
        return models
    }

    static func load(_ testCase: Case) throws -> (features: Table, target: Target) {
        let table = try TableReader.read(path: data.appendingPathComponent(testCase.file).path)
        let target = try Target.encode(try XCTUnwrap(table[testCase.target], testCase.file), task: testCase.task)
        return (table.dropping(columns: [testCase.target]), target)
    }

    static func bundle(_ pipeline: FittedPipeline, training: Table, task: LearningTask, target: String) -> ModelBundle {
        let manifest = BundleManifest(
            format: BundleManifest.currentFormat, runnerVersion: "test", created: "2026-01-01T00:00:00Z", task: task, target: target,
            classes: pipeline.classes, modelType: "test", modelName: "m", params: [:], preprocessing: pipeline.steps.map(\.kindName),
            inputSchema: InputSchema(training: training, columns: pipeline.inputColumns), metrics: [:],
            provenance: .init(experiment: "e", specDigest: "s", dataDigest: "d", artifacts: [:], modelDigest: "m"))
        return ModelBundle(manifest: manifest, pipeline: pipeline)
    }

    func testEveryFamilyRoundTripsExactly() throws {
        for testCase in Self.classification + Self.regression {
            let (features, target) = try Self.load(testCase)
            for model in Self.models(for: testCase.task) {
                let pipeline = try PipelineConfig(steps: Self.steps, model: model).fit(features, target)
                let original = try pipeline.predict(features)
                let bytes = try Self.bundle(pipeline, training: features, task: testCase.task, target: testCase.target).encoded()
                let loaded = try ModelBundle.decode(bytes).bundle
                XCTAssertEqual(loaded.pipeline, pipeline, "\(testCase.file) \(model.typeName)")
                let again = try loaded.pipeline.predict(features)
                switch (original, again) {
                case (.values(let a), .values(let b)):
                    XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(testCase.file) \(model.typeName)")
                case (.classes(let a, let p), .classes(let b, let q)):
                    XCTAssertEqual(a, b, "\(testCase.file) \(model.typeName)")
                    XCTAssertEqual(p?.values.map(\.bitPattern), q?.values.map(\.bitPattern), "\(testCase.file) \(model.typeName)")
                default:
                    XCTFail("prediction kinds differ")
                }
            }
        }
    }

    private func penguinsBundle() throws -> (ModelBundle, Table) {
        let testCase = Self.classification[0]
        let (features, target) = try Self.load(testCase)
        let pipeline = try PipelineConfig(steps: Self.steps, model: ModelConfig(LogisticRegressionConfig())).fit(features, target)
        return (Self.bundle(pipeline, training: features, task: .classification, target: "species"), features)
    }

    func testTheSameBundleHasTheSameBytes() throws {
        let (bundle, _) = try penguinsBundle()
        XCTAssertEqual(try bundle.encoded(), try bundle.encoded())
    }

    func testEncryptionRefusesWrongKeysAndDamage() throws {
        let (bundle, _) = try penguinsBundle()
        let key = SymmetricKey(size: .bits256)
        let sealed = try bundle.encoded(encryptionKey: key)
        XCTAssertTrue(ModelBundle.isEncrypted(sealed))
        XCTAssertEqual(try ModelBundle.decode(sealed, key: key).bundle, bundle)
        func refused(_ data: Data, _ key: SymmetricKey?, _ why: String) {
            XCTAssertThrowsError(try ModelBundle.decode(data, key: key), why) { error in
                XCTAssertEqual(error as? BundleError, .cannotDecrypt, why)
            }
        }
        refused(sealed, SymmetricKey(size: .bits256), "wrong key")
        refused(sealed.prefix(sealed.count - 1), key, "truncated")
        refused(sealed.prefix(40), key, "truncated to the header")
        for position in [30, sealed.count / 2, sealed.count - 1] {
            var flipped = [UInt8](sealed)
            flipped[position] ^= 0x01
            refused(Data(flipped), key, "byte \(position) flipped")
        }
        XCTAssertThrowsError(try ModelBundle.decode(sealed)) { error in
            XCTAssertTrue("\(error)".contains("--key-env"), "\(error)")
        }
    }

    /// A damaged plain archive is described in our words, never as a zip library error name.
    func testADamagedArchiveIsDescribedInOurWords() throws {
        let (bundle, _) = try penguinsBundle()
        let bytes = try bundle.encoded()
        func message(_ data: Data) -> String {
            do {
                _ = try ModelBundle.decode(data)
                return "decoded"
            } catch {
                return error.description
            }
        }
        XCTAssertEqual(message(bytes.prefix(bytes.count / 2)), "the bundle archive is damaged: the zip directory is missing or wrong (a truncated or partly copied file?)")
        var zeroed = [UInt8](bytes)
        for index in 200..<260 { zeroed[index] = 0 }
        let damaged = message(Data(zeroed))
        XCTAssertTrue(damaged.hasPrefix("the bundle") && !damaged.contains("Error") && !damaged.contains("corruptedData"), damaged)
        // A directory entry pointing past the end of the file: the zip library would trap
        // reading it from memory; the layout check refuses it first.
        var pointing = [UInt8](bytes)
        let directory = try XCTUnwrap((0..<(pointing.count - 4)).last { pointing[$0] == 0x50 && pointing[$0 + 1] == 0x4B && pointing[$0 + 2] == 0x01 && pointing[$0 + 3] == 0x02 })
        pointing.replaceSubrange((directory + 42)..<(directory + 46), with: [0xF0, 0xFF, 0xFF, 0x7F])
        XCTAssertEqual(message(Data(pointing)), "the bundle archive is damaged: an entry's header is damaged")
        for length in [0, 10, 21, 22, bytes.count - 1] {
            XCTAssertTrue(message(bytes.prefix(length)).hasPrefix("not a runner bundle") || message(bytes.prefix(length)).hasPrefix("the bundle archive is damaged"), "\(length): \(message(bytes.prefix(length)))")
        }
    }

    func testKeysParseAsHexOrBase64AndRejectOtherLengths() throws {
        let text = BundleKeys.newEncryptionKey()
        let key = try BundleKeys.encryptionKey(text)
        let hex = key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(try BundleKeys.encryptionKey(hex), key)
        XCTAssertThrowsError(try BundleKeys.encryptionKey("c2hvcnQ="))
        let signing = BundleKeys.newSigningKey()
        XCTAssertEqual(try BundleKeys.signingKey(pem: BundleKeys.pem(signing), source: "k").rawRepresentation, signing.rawRepresentation)
        XCTAssertEqual(try BundleKeys.publicKey(pem: BundleKeys.pem(signing.publicKey), source: "k").rawRepresentation, signing.publicKey.rawRepresentation)
        XCTAssertThrowsError(try BundleKeys.signingKey(pem: BundleKeys.pem(signing.publicKey), source: "k"), "a public key is not a private key")
    }

    func testSignaturesCoverTheContent() throws {
        let (bundle, _) = try penguinsBundle()
        let signer = BundleKeys.newSigningKey()
        let signed = try bundle.encoded(signingKey: signer)
        let (loaded, signature) = try ModelBundle.decode(signed)
        XCTAssertEqual(loaded, bundle)
        XCTAssertEqual(signature?.isSigned(by: signer.publicKey), true)
        XCTAssertEqual(signature?.isSigned(by: BundleKeys.newSigningKey().publicKey), false)
        // Rebuild the archive with a modified manifest and the original signature.
        var entries = try ModelBundle.archiveEntries(signed, key: nil)
        let manifest = String(decoding: entries["manifest.json"]!, as: UTF8.self).replacingOccurrences(of: "\"modelName\" : \"m\"", with: "\"modelName\" : \"x\"")
        XCTAssertNotEqual(Data(manifest.utf8), entries["manifest.json"])
        entries["manifest.json"] = Data(manifest.utf8)
        XCTAssertThrowsError(try ModelBundle.decode(try rezip(entries))) { error in
            XCTAssertTrue("\(error)".contains("modified after signing"), "\(error)")
        }
    }

    func testUnknownFormatsAndForeignFilesAreRefused() throws {
        let (bundle, _) = try penguinsBundle()
        var entries = try ModelBundle.archiveEntries(try bundle.encoded(), key: nil)
        entries["manifest.json"] = Data(String(decoding: entries["manifest.json"]!, as: UTF8.self).replacingOccurrences(of: "\"format\" : \(BundleManifest.currentFormat)", with: "\"format\" : 7").utf8)
        XCTAssertThrowsError(try ModelBundle.decode(try rezip(entries))) { error in
            XCTAssertTrue("\(error)".contains("format 7, newer than this runner reads (\(BundleManifest.newestReadableFormat))"), "\(error)")
        }
        XCTAssertThrowsError(try ModelBundle.decode(Data("import os; os.system('boom')".utf8))) { error in
            XCTAssertTrue("\(error)".contains("not a runner bundle"), "\(error)")
        }
        XCTAssertThrowsError(try ModelBundle.decode(try bundle.encoded().prefix(100)))
    }

    /// A re-made archive with consistent digests, as a forger would make it.
    private func rezip(_ entries: [String: Data]) throws -> Data {
        var digests: [String: String] = [:]
        for (name, data) in entries { digests[name] = Hashing.sha256(data) }
        let all = entries.map { ($0.key, $0.value) } + [("digests.json", try JSONEncoder().encode(digests))]
        return try BundleArchive.zip(all)
    }

    func testADamagedEntryIsDetected() throws {
        let (bundle, _) = try penguinsBundle()
        var entries = try ModelBundle.rawEntries(try bundle.encoded(), key: nil)
        entries["model.json"] = Data(String(decoding: entries["model.json"]!, as: UTF8.self).replacingOccurrences(of: "\"iterations\"", with: "\"iterationz\"").utf8)
        let digests = try XCTUnwrap(entries.removeValue(forKey: "digests.json"))
        XCTAssertThrowsError(try ModelBundle.decode(try BundleArchive.zip(entries.map { ($0.key, $0.value) } + [("digests.json", digests)]))) { error in
            XCTAssertTrue("\(error)".contains("model.json does not match its digest"), "\(error)")
        }
    }
}
