import Crypto
import Foundation
import XCTest
@testable import Packaging
@testable import Learn
import Tabular

/// Format 3: a large model's arrays are binary entries, stored uncompressed and read in place.
/// They round-trip exactly, are covered by the digests and the signature, and every way of
/// damaging them is refused before anything predicts with them.
final class BinaryArrayEntryTests: XCTestCase {
    /// 3,000 rows of noise with noisy labels: full-depth trees of thousands of nodes.
    static func noisyTable(rows: Int = 3000) -> (Table, Target) {
        var generator = SeededGenerator(seed: 7, stream: "binary-entries")
        var columns: [Column] = []
        for feature in 0..<5 {
            columns.append(Column(name: "x\(feature)", numeric: (0..<rows).map { _ in Double(generator.next() % 10_000) / 100 }))
        }
        let labels = (0..<rows).map { _ in Int(generator.next() % 2) }
        return (try! Table(columns: columns), .classes(labels: labels, classes: ["no", "yes"]))
    }

    static func bundle(_ model: ModelConfig) throws -> ModelBundle {
        let (table, target) = noisyTable()
        let pipeline = try PipelineConfig(steps: [], model: model).fit(table, target)
        return BundleTests.bundle(pipeline, training: table, task: .classification, target: "label")
    }

    static func forest() throws -> ModelBundle {
        let settings = TreeSettings(criterion: .gini, maxDepth: nil, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: .all, balanced: false)
        return try bundle(ModelConfig(RandomForestConfig(trees: 3, settings: settings, seed: 1)))
    }

    /// The zip's local headers: name -> compression method.
    private func methods(_ zip: Data) -> [String: Int] {
        var methods: [String: Int] = [:]
        var position = 0
        let bytes = [UInt8](zip)
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        while position + 30 <= bytes.count, u32(position) == 0x0403_4B50 {
            let nameLength = u16(position + 26), extra = u16(position + 28), size = u32(position + 18)
            methods[String(decoding: bytes[(position + 30)..<(position + 30 + nameLength)], as: UTF8.self)] = u16(position + 8)
            position += 30 + nameLength + extra + size
        }
        return methods
    }

    func testALargeForestRoundTripsThroughStoredBinaryEntries() throws {
        let bundle = try Self.forest()
        let bytes = try bundle.encoded()
        let methods = methods(bytes)
        let arrays = methods.keys.filter { $0.hasPrefix("arrays/") }.sorted()
        // Per tree: the nodes and the leaf values; importances (5 values) stay inline.
        XCTAssertEqual(arrays.filter { $0.hasSuffix(".node") }.count, 3, "\(arrays)")
        XCTAssertEqual(arrays.filter { $0.hasSuffix(".f64") }.count, 3, "\(arrays)")
        XCTAssertTrue(arrays.allSatisfy { methods[$0] == 0 }, "binary entries are stored: \(methods)")
        XCTAssertEqual(methods["model.json"], 8)
        let (loaded, signature) = try ModelBundle.decode(bytes)
        XCTAssertNil(signature)
        XCTAssertEqual(loaded.pipeline, bundle.pipeline)
        XCTAssertEqual(loaded.manifest.format, BundleManifest.binaryArraysFormat)
        // The same on one thread or many, and the same model gives the same bytes.
        XCTAssertEqual(try ModelBundle.decode(bytes, threads: 1).bundle, loaded)
        XCTAssertEqual(try ModelBundle.decode(bytes, threads: 7).bundle, loaded)
        XCTAssertEqual(try bundle.encoded(), bytes)
        let (table, _) = Self.noisyTable()
        XCTAssertEqual(try loaded.pipeline.predict(table), try bundle.pipeline.predict(table))
        // The store's JSON keeps arrays inline: no binary entry can be referred to there.
        let json = JSONFormat.encode(bundle.pipeline)
        XCTAssertFalse(String(decoding: json, as: UTF8.self).contains("arrays/"))
        XCTAssertEqual(try JSONFormat.decoder().decode(FittedPipeline.self, from: json), bundle.pipeline)
    }

    func testNeighborsTrainingRowsAndEncryptedBundlesUseThemToo() throws {
        let bundle = try Self.bundle(ModelConfig(KNeighborsConfig(neighbors: 5)))
        let key = SymmetricKey(size: .bits256)
        let sealed = try bundle.encoded(encryptionKey: key)
        let plain = try ModelBundle.rawEntries(sealed, key: key)
        XCTAssertEqual(plain.keys.filter { $0.hasPrefix("arrays/") }, ["arrays/0.f64"])
        XCTAssertEqual(try ModelBundle.decode(sealed, key: key).bundle.pipeline, bundle.pipeline)
    }

    func testSmallModelsKeepTheInlineFormat() throws {
        let (table, target) = Self.noisyTable(rows: 60)
        let pipeline = try PipelineConfig(steps: [], model: ModelConfig(HistGradientBoostingConfig(maxIterations: 5, seed: 1))).fit(table, target)
        let bundle = BundleTests.bundle(pipeline, training: table, task: .classification, target: "label")
        let entries = try ModelBundle.archiveEntries(try bundle.encoded(), key: nil)
        XCTAssertEqual(Set(entries.keys), ["manifest.json", "model.json"])
        XCTAssertEqual(try ModelBundle.decode(try bundle.encoded()).bundle, bundle)
        XCTAssertEqual(bundle.manifest.format, BundleManifest.currentFormat)
    }

    /// A re-made archive with the digests made to match, as a forger would make it.
    private func forged(_ entries: [String: Data]) throws -> Data {
        var digests: [String: String] = [:]
        for (name, data) in entries { digests[name] = Hashing.sha256(data) }
        return try BundleArchive.zip(entries.map { ($0.key, $0.value) } + [("digests.json", try JSONEncoder().encode(digests))])
    }

    private func assertRefused(_ bundle: Data, _ expected: String, key: SymmetricKey? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ModelBundle.decode(bundle, key: key), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
        }
    }

    private func firstNodes(_ entries: [String: Data]) throws -> String {
        try XCTUnwrap(entries.keys.filter { $0.hasSuffix(".node") }.min())
    }

    func testDamagedBinaryEntriesAreRefused() throws {
        let bytes = try Self.forest().encoded()
        let entries = try ModelBundle.archiveEntries(bytes, key: nil)
        let nodes = try firstNodes(entries)

        // A flipped byte, digests left alone.
        var raw = try ModelBundle.rawEntries(bytes, key: nil)
        raw[nodes]![raw[nodes]!.startIndex + 100] ^= 0x40
        assertRefused(try BundleArchive.zip(raw.map { ($0.key, $0.value) }), "\(nodes) does not match its digest")

        // Forged digests: a node count that is not whole, a count the JSON does not state,
        // a node pointing back at its parent, a type the JSON does not expect.
        var cut = entries
        cut[nodes] = cut[nodes]!.dropLast(3)
        assertRefused(try forged(cut), "\(nodes) is not a whole number of values")
        var short = entries
        short[nodes] = short[nodes]!.dropLast(16)
        assertRefused(try forged(short), "\(nodes) is not")
        var cyclic = entries
        var tree = cyclic[nodes]!.withUnsafeBytes { TreeNode.array(copying: $0) }
        tree[0].left = 0
        cyclic[nodes] = tree.withUnsafeBytes { Data($0) }
        assertRefused(try forged(cyclic), "invalid bundle")
        var retyped = entries
        let values = try XCTUnwrap(entries.keys.filter { $0.hasSuffix(".f64") }.min())
        retyped[values.replacingOccurrences(of: ".f64", with: ".i32")] = retyped.removeValue(forKey: values)
        assertRefused(try forged(retyped), "does not hold")
        var unknown = entries
        unknown["arrays/99.f16"] = Data(count: 8)
        assertRefused(try forged(unknown), "'arrays/99.f16' of no known array type")
        var extra = entries
        extra["arrays/99.f64"] = Data(count: 8)
        XCTAssertNoThrow(try ModelBundle.decode(try forged(extra)), "an unused array is harmless")
        var missing = entries
        missing[nodes] = nil
        assertRefused(try forged(missing), "refers to \(nodes), which the bundle does not hold")
    }

    func testTheSignatureCoversEveryBinaryEntry() throws {
        let signer = BundleKeys.newSigningKey()
        let signed = try Self.forest().encoded(signingKey: signer)
        XCTAssertEqual(try ModelBundle.decode(signed).signature?.isSigned(by: signer.publicKey), true)
        var entries = try ModelBundle.archiveEntries(signed, key: nil)
        let values = try XCTUnwrap(entries.keys.filter { $0.hasSuffix(".f64") }.min())
        var leaves = entries[values]!.withUnsafeBytes { Double.array(copying: $0) }
        leaves[leaves.count - 1] = 1 - leaves[leaves.count - 1]
        entries[values] = leaves.withUnsafeBytes { Data($0) }
        assertRefused(try forged(entries), "modified after signing")
    }
}
