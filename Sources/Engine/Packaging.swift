import Bundle
import Crypto
import Foundation
import Learn
import Spec
import Tabular

/// The keys a spec's `package:` section names, loaded before anything runs so a missing key
/// fails the run at once instead of after training.
public struct PackagingKeys: Sendable {
    var encryption: SymmetricKey?
    var signing: Curve25519.Signing.PrivateKey?

    static func load(_ package: PackageSpec) throws(BundleError) -> PackagingKeys {
        var keys = PackagingKeys()
        switch package.encryptionKey {
        case .environment(let name)?: keys.encryption = try BundleKeys.encryptionKey(environment: name, file: nil)
        case .file(let path)?: keys.encryption = try BundleKeys.encryptionKey(environment: nil, file: path)
        case nil: break
        }
        if let path = package.signingKeyFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw BundleError("cannot read the signing key file \(path)") }
            keys.signing = try BundleKeys.signingKey(pem: text, source: path)
        }
        return keys
    }
}

extension Session {
    /// Packages the winner in the formats the spec asks for (default: a bundle): into the
    /// store (content-addressed) and as `model.bundle` / `model.onnx` in `outputFolder`.
    /// Returns the results with the packages' digests added, and the exported paths.
    public static func package(_ prepared: PreparedRun, _ results: RunResults, _ execution: Execution, outputFolder: String) throws(EngineError) -> (RunResults, [String]) {
        guard let experiment = prepared.check.experiment, !experiment.package.formats.isEmpty else { return (results, []) }
        let formats = experiment.package.formats
        let store = prepared.store, graph = prepared.graph
        func artifact(_ name: String, _ form: Artifact.Form) throws(EngineError) -> Artifact {
            guard let digest = results.artifacts[name] else { throw EngineError("internal: the run has no \(name) artifact") }
            if let artifact = execution.decoded[digest] { return artifact }
            do {
                return try Artifact.decode(try store.read(digest), as: form)
            } catch let error as StoreError {
                throw EngineError("cannot package the model: \(error.description); rerun to recompute it")
            } catch {
                throw EngineError("cannot package the model: \(name) cannot be decoded (\(error))")
            }
        }
        // Packages are cached like stages: the same model, scores, spec, data and keys give
        // the same files, so a warm rerun copies them instead of rebuilding them (the bundle
        // keeps the run id and time of the run that made it).
        var material = "runner-package 1\n\(RunnerVersion.current)\n\(results.spec.digest)\n\(results.data.digest)\n"
        for name in ["model", "leaderboard", "evaluation", "split"] { material += "\(name) \(results.artifacts[name] ?? "")\n" }
        if let key = prepared.keys.encryption { material += "encrypt \(key.withUnsafeBytes { Hashing.sha256(Data($0)) })\n" }
        if let signing = prepared.keys.signing { material += "sign \(Hashing.sha256(signing.publicKey.rawRepresentation))\n" }
        var cached: [PackageSpec.Format: Data] = [:]
        for format in formats {
            let key = Hashing.sha256(material + "format \(format.rawValue)\n")
            if let digest = store.cachedRecord(for: key)?.outputs[format.rawValue], let data = try? store.read(digest) { cached[format] = data }
        }
        var manifest: BundleManifest?
        var pipeline: FittedPipeline?
        if cached.count < formats.count {
            guard let table = try artifact("dataset", .table).table, let split = try artifact("split", .split).split,
                  let fitted = try artifact("model", .model).model else { throw EngineError("internal: artifacts have the wrong type") }
            let training = table.dropping(columns: [graph.target]).taking(rows: split.train)
            var stageKeys: [String: String] = [:]
            for stage in results.stages where stage.kind != .fit { stageKeys[stage.name] = stage.key }
            pipeline = fitted
            manifest = BundleManifest(
                format: BundleManifest.currentFormat, runnerVersion: RunnerVersion.current,
                created: ISO8601DateFormatter().string(from: Date()), task: graph.task, target: graph.target, classes: fitted.classes,
                modelType: results.best.type, modelName: results.best.model, params: results.best.params,
                preprocessing: fitted.steps.map(\.kindName), inputSchema: InputSchema(training: training, columns: fitted.inputColumns),
                metrics: ["cv": results.best.cv, "test": results.best.test.metrics],
                provenance: .init(experiment: results.experiment, specDigest: results.spec.digest, dataDigest: results.data.digest,
                                  runID: results.runID, stageKeys: stageKeys, modelDigest: results.artifacts["model"] ?? ""))
        }
        do {
            var packaged = results
            var paths: [String] = []
            try AtomicFile.makeFolder(outputFolder)
            for format in formats {
                let data: Data
                if let bytes = cached[format] {
                    data = bytes
                } else if let manifest, let pipeline {
                    let start = Date()
                    switch format {
                    case .bundle:
                        data = try ModelBundle(manifest: manifest, pipeline: pipeline).encoded(signingKey: prepared.keys.signing, encryptionKey: prepared.keys.encryption)
                    case .onnx:
                        data = try ONNXExport.export(pipeline, schema: manifest.inputSchema, modelType: results.best.type, name: results.experiment, producerVersion: RunnerVersion.current)
                    }
                    let key = Hashing.sha256(material + "format \(format.rawValue)\n")
                    try store.write(StageRecord(key: key, kind: "package", name: "package \(format.rawValue)", outputs: [format.rawValue: try store.put(data)],
                                                seconds: Date().timeIntervalSince(start), log: [], runnerVersion: RunnerVersion.current, created: start))
                } else {
                    throw EngineError("internal: nothing to package")
                }
                packaged.artifacts[format.rawValue] = try store.put(data)
                let path = "\(outputFolder)/model.\(format.rawValue)"
                if AtomicFile.read(path) != data { try AtomicFile.write(data, to: path, temporaryFolder: outputFolder) }
                paths.append(path)
            }
            return (packaged, paths)
        } catch let error as BundleError {
            throw EngineError(error.description)
        } catch let error as StoreError {
            throw EngineError(error.description)
        } catch {
            throw EngineError("cannot package the model (\(error))")
        }
    }
}
