import ArgumentParser
import Packaging
import Serve
import Crypto
import Foundation
import Tabular
import Learn

/// `--key-env NAME` / `--key-file PATH` for encrypted bundles.
struct BundleKeyOptions: ParsableArguments {
    @Option(name: .customLong("key-env"), help: "Environment variable holding the bundle's decryption key.")
    var keyEnvironment: String?

    @Option(name: .customLong("key-file"), help: "File holding the bundle's decryption key.")
    var keyFile: String?

    func key() throws(BundleError) -> SymmetricKey? {
        guard keyEnvironment != nil || keyFile != nil else { return nil }
        return try BundleKeys.encryptionKey(environment: keyEnvironment, file: keyFile)
    }
}

/// Reads and decodes a bundle, or prints why not and exits 1.
func loadBundleOrExit(_ path: String, keys: BundleKeyOptions) throws -> (ModelBundle, BundleSignature?) {
    do {
        return try ModelBundle.read(path: path, key: try keys.key())
    } catch {
        printError("error: \(path): \(error.description)")
        throw ExitCodes.failure
    }
}

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a key: an AES-256 bundle encryption key (printed), or with --signing an Ed25519 key pair.",
        discussion: "Keep keys out of specs and repositories: pass them through package.encrypt.key_env or key files."
    )

    @Flag(help: "Make an Ed25519 signing key pair instead: the private key to --out, the public key beside it (.pub.pem).")
    var signing = false

    @Option(name: .customLong("api-key"), help: "Make an API key for `runner serve` named NAME: prints the key, and on stderr the line for the --api-keys file (its SHA-256).")
    var apiKey: String?

    @Flag(help: "With --api-key: the key may reload models (the admin endpoint).")
    var admin = false

    @Option(help: "Where to write the private signing key (PEM).")
    var out: String?

    func validate() throws {
        if signing && out == nil { throw ValidationError("--signing needs --out FILE for the private key") }
        if !signing && out != nil { throw ValidationError("--out is for --signing; the encryption key is printed") }
        if apiKey != nil && signing { throw ValidationError("--api-key and --signing make different keys; give one") }
        if admin && apiKey == nil { throw ValidationError("--admin is for --api-key") }
        if let apiKey, apiKey.isEmpty || apiKey.contains(where: { $0.isWhitespace || $0 == "#" }) {
            throw ValidationError("--api-key NAME must be one word without '#'")
        }
    }

    func run() throws {
        if let apiKey {
            let made = APIKeys.newKey(name: apiKey, admin: admin)
            print(made.key)
            printError("add this line to the --api-keys file: \(made.line)")
            return
        }
        guard signing, let out else {
            print(BundleKeys.newEncryptionKey())
            return
        }
        let key = BundleKeys.newSigningKey()
        let publicPath = ((out as NSString).deletingPathExtension) + ".pub.pem"
        guard !FileManager.default.fileExists(atPath: out) else {
            printError("error: \(out) exists; not overwriting a key")
            throw ExitCodes.failure
        }
        guard FileManager.default.createFile(atPath: out, contents: Data(BundleKeys.pem(key).utf8), attributes: [.posixPermissions: 0o600]),
              FileManager.default.createFile(atPath: publicPath, contents: Data(BundleKeys.pem(key.publicKey).utf8)) else {
            printError("error: cannot write \(out) or \(publicPath)")
            throw ExitCodes.failure
        }
        print("private key: \(out) (keep it secret)")
        print("public key: \(publicPath) (give it to whoever verifies bundles)")
    }
}

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Inspect or verify a model bundle.",
        subcommands: [Inspect.self, Verify.self, ExportONNX.self]
    )

    struct ExportONNX: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-onnx",
            abstract: "Write a bundle's pipeline as one ONNX graph (double precision, ai.onnx.ml opset 5).",
            discussion: "Inputs: one [N, 1] tensor per input column, double (NaN = missing) or string (\"\" = missing). Outputs: label and probabilities, or prediction."
        )

        @Argument(help: "The bundle file.") var bundle: String
        @Option(help: "Where to write the .onnx file.") var out: String
        @OptionGroup var keys: BundleKeyOptions

        func run() throws {
            let (model, _) = try loadBundleOrExit(bundle, keys: keys)
            do throws(BundleError) {
                let manifest = model.manifest
                let data = try ONNXExport.export(model.pipeline, schema: manifest.inputSchema, modelType: manifest.modelType, name: manifest.provenance.experiment, producerVersion: manifest.runnerVersion)
                guard (try? writeOutput(data, to: out)) != nil else { throw BundleError.io("cannot write \(out)") }
                print("\(out): \(data.count) bytes")
            } catch {
                printError("error: \(error.description)")
                throw ExitCodes.failure
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Print a bundle's manifest: model, input schema, metrics, provenance.")

        @Argument(help: "The bundle file.") var bundle: String
        @OptionGroup var keys: BundleKeyOptions
        @Flag(help: "Print manifest.json.") var json = false

        func run() throws {
            let (bundle, signature) = try loadBundleOrExit(self.bundle, keys: keys)
            let manifest = bundle.manifest
            if json {
                print(jsonText(manifest))
                return
            }
            print("\(self.bundle): runner bundle format \(manifest.format), made by runner \(manifest.runnerVersion)\(manifest.created.map { " at \($0)" } ?? "")")
            print("model: \(manifest.modelName) (\(manifest.modelType))\(describe(manifest.params)); task \(manifest.task.rawValue), target '\(manifest.target)'")
            if let classes = manifest.classes { print("classes: \(classes.joined(separator: ", "))") }
            print("preprocessing: \(manifest.preprocessing.isEmpty ? "none" : manifest.preprocessing.joined(separator: " → "))")
            var table = TextTable(header: ["input", "type", "training values", "missing in training"])
            table.rightAligned = [3]
            for field in manifest.inputSchema.fields {
                let values: String
                if let categories = field.categories {
                    values = categories.prefix(6).joined(separator: ", ") + (categories.count > 6 ? ", … (\(categories.count))" : "")
                } else if let low = field.minimum, let high = field.maximum {
                    values = "\(formatStatistic(low)) … \(formatStatistic(high))"
                } else {
                    values = ""
                }
                table.rows.append([field.name, field.kind.rawValue, values, "\(field.missingInTraining)"])
            }
            print(table.render())
            for section in manifest.metrics.keys.sorted() {
                let values = manifest.metrics[section]!
                print("\(section): " + values.keys.sorted().map { "\($0) \(String(format: "%.4f", values[$0]!))" }.joined(separator: ", "))
            }
            let provenance = manifest.provenance
            print("provenance: experiment \(provenance.experiment)\(provenance.runID.map { ", run \($0)" } ?? ""), spec \(provenance.specDigest.prefix(12)), data \(provenance.dataDigest.prefix(12)), model \(provenance.modelDigest.prefix(12))")
            print(bundle.profile.map { "training profile: \($0.columns.count) input columns over \($0.rows) rows, window \($0.settings.window) (runner monitor)" }
                  ?? "training profile: none (a format 1 bundle; runner monitor needs one packaged by this runner)")
            print(signature == nil ? "signature: none" : "signature: Ed25519, intact (check the signer with `runner bundle verify --public-key`)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check a bundle's Ed25519 signature against a trusted public key.",
            discussion: "Exits 0 when the bundle is signed by that key and unmodified, 1 otherwise."
        )

        @Argument(help: "The bundle file.") var bundle: String
        @Option(name: .customLong("public-key"), help: "The trusted public key (PEM, from `runner keygen --signing`).") var publicKey: String
        @OptionGroup var keys: BundleKeyOptions

        func run() throws {
            let trusted: Curve25519.Signing.PublicKey
            do throws(BundleError) {
                trusted = try BundleKeys.publicKey(file: publicKey)
            } catch {
                printError("error: \(error.description)")
                throw ExitCodes.failure
            }
            let (_, signature) = try loadBundleOrExit(bundle, keys: keys)
            do throws(BundleError) {
                try BundleSignature.requireSigned(signature, by: trusted, bundle: bundle, keyName: publicKey)
            } catch {
                printError("error: \(error.description)")
                throw ExitCodes.failure
            }
            print("\(bundle): signature valid (Ed25519, \(publicKey))")
        }
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict new data (CSV or JSON Lines) with a model bundle.",
        discussion: """
            The input is checked against the bundle's schema: a missing column is an error naming it, \
            a value of the wrong type names its line and column, extra columns are ignored with one \
            warning, and an unseen category follows the encoder's handle_unknown rule. Writes CSV: \
            `prediction`, then `proba_<class>` columns with --proba. Exits 0, or 1 on any error.
            """
    )

    @Argument(help: "The model bundle.") var bundle: String
    @Argument(help: "New data, CSV or JSON Lines.") var data: String
    @Option(help: "Write predictions here instead of stdout.") var out: String?
    @Flag(help: "Add class probabilities (classification).") var proba = false
    @OptionGroup var keys: BundleKeyOptions
    @Option(name: .shortAndLong, help: "Threads (default: the number of cores); predictions do not depend on it.") var jobs: Int?

    func run() throws {
        let (model, _) = try loadBundleOrExit(bundle, keys: keys)
        do throws(BundleError) {
            let (table, warnings) = try BundlePrediction.readInput(path: data, schema: model.manifest.inputSchema)
            for warning in warnings { printError("warning: \(warning)") }
            let prediction = try BundlePrediction.predict(model, table, threads: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            let text = BundlePrediction.csv(prediction, classes: model.manifest.classes, probabilities: proba)
            if let out {
                guard (try? writeOutput(Data(text.utf8), to: out)) != nil else { throw BundleError.io("cannot write \(out)") }
            } else {
                print(text, terminator: "")
            }
        } catch {
            // A data error is printed located ("FILE:LINE:COL: error: ..."), as compilers do.
            printError(error.dataError?.description ?? "error: \(error.description)")
            throw ExitCodes.failure
        }
    }
}
