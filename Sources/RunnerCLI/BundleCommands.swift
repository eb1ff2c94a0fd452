import DatabaseSources
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
        abstract: "Predict new data (CSV, JSON Lines, or an SQLite or PostgreSQL query) with a model bundle.",
        discussion: """
            The input is checked against the bundle's schema: a missing column is an error naming it, \
            a value of the wrong type names its line and column, extra columns are ignored with one \
            warning, and an unseen category follows the encoder's handle_unknown rule. Writes CSV: \
            `prediction`, then `proba_<class>` columns with --proba; or, with --sqlite or \
            --postgres/--postgres-env and --into, a table of the same database (row, the --key column, \
            prediction, probabilities), created if missing and appended otherwise, in one transaction. \
            A PostgreSQL password comes from the URL in --postgres-env's variable, --password-file or \
            PGPASSWORD, never from the command line. Exits 0, or 1 on any error.
            """
    )

    @Argument(help: "The model bundle.") var bundle: String
    @Argument(help: "New data, CSV or JSON Lines (or a database with --query).") var data: String?
    @Option(name: .customLong("sqlite"), help: "Read the rows from this SQLite database (with --query; opened read-only unless --into).") var sqlite: String?
    @Option(name: .customLong("postgres"), help: "Read the rows from this PostgreSQL database: postgres://USER@HOST:PORT/DATABASE[?sslmode=...] (no password).") var postgres: String?
    @Option(name: .customLong("postgres-env"), help: "The environment variable holding the PostgreSQL URL (which may hold the password).") var postgresEnvironment: String?
    @Option(name: .customLong("password-file"), help: "A file holding the PostgreSQL password (default: PGPASSWORD).") var passwordFile: String?
    @Option(help: "The SELECT whose rows to predict (with --sqlite or --postgres).") var query: String?
    @Option(name: .customLong("param"), help: "A value for the query's next placeholder (? in SQLite, $1, $2, ... in PostgreSQL; repeatable; numbers are bound as numbers).") var params: [String] = []
    @Option(help: "Write the predictions into this table of the database read (created if missing, appended otherwise, one transaction).") var into: String?
    @Option(help: "A column of the query's rows copied into the --into table, to join predictions back (an id).") var key: String?
    @Option(help: "Write predictions here instead of stdout.") var out: String?
    @Flag(help: "Add class probabilities (classification).") var proba = false
    @OptionGroup var keys: BundleKeyOptions
    @Option(name: .shortAndLong, help: "Threads (default: the number of cores); predictions do not depend on it.") var jobs: Int?

    func validate() throws {
        let databases = [sqlite, postgres, postgresEnvironment].compactMap { $0 }.count
        if databases > 1 { throw ValidationError("choose one database: --sqlite, --postgres or --postgres-env") }
        if (data == nil) == (databases == 0) { throw ValidationError("give the data file, or a database (--sqlite FILE, --postgres URL or --postgres-env VARIABLE) with --query") }
        if databases == 1, query == nil { throw ValidationError("a database needs --query (the SELECT whose rows to predict)") }
        if databases == 0, query != nil || !params.isEmpty || into != nil { throw ValidationError("--query, --param and --into go with --sqlite, --postgres or --postgres-env") }
        if passwordFile != nil, postgres == nil, postgresEnvironment == nil { throw ValidationError("--password-file goes with --postgres or --postgres-env") }
        if key != nil, into == nil { throw ValidationError("--key goes with --into") }
        if into != nil, out != nil { throw ValidationError("choose --into (a table) or --out (a file)") }
    }

    /// Numbers bind as numbers, anything else as text.
    private var parameters: [QueryParameter] {
        params.map { text in
            if let integer = Int64(text) { return .integer(integer) }
            if let real = Double(text), real.isFinite { return .real(real) }
            return .text(text)
        }
    }

    func run() throws {
        let (model, _) = try loadBundleOrExit(bundle, keys: keys)
        do throws(BundleError) {
            let endpoint = try postgresEndpoint()
            let source: any DataSource
            if let sqlite {
                source = SQLiteSource(path: sqlite, query: query ?? "", parameters: parameters)
            } else if let endpoint {
                source = PostgresSource(endpoint: endpoint, query: query ?? "", parameters: parameters)
            } else {
                source = FileSource(path: data ?? "")
            }
            let (table, warnings) = try BundlePrediction.readInput(source, schema: model.manifest.inputSchema)
            for warning in warnings { printError("warning: \(warning)") }
            let prediction = try BundlePrediction.predict(model, table, threads: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            if let into {
                try writeTable(prediction, into: into, classes: model.manifest.classes, source: source)
                print("\(sqlite ?? endpoint?.description ?? ""): \(prediction.count) prediction\(prediction.count == 1 ? "" : "s") written to table '\(into)'")
                return
            }
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

    /// The PostgreSQL database of --postgres (a URL without a password) or --postgres-env.
    private func postgresEndpoint() throws(BundleError) -> PostgresEndpoint? {
        let password: PostgresEndpoint.PasswordSource = passwordFile.map { .file($0) } ?? .standard
        do throws(DataError) {
            if let postgres {
                return try PostgresEndpoint.parse(postgres, allowPassword: false, password: password)
            }
            if let name = postgresEnvironment {
                guard let url = ProcessInfo.processInfo.environment[name], !url.isEmpty else {
                    throw DataError(path: "--postgres-env", message: "the environment variable \(name) is not set (it holds postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
                }
                return try PostgresEndpoint.parse(url, allowPassword: passwordFile == nil, password: password)
            }
        } catch {
            throw .inputData(error)
        }
        return nil
    }

    /// row (1-based), the --key column, prediction, then probabilities with --proba.
    private func writeTable(_ prediction: Prediction, into table: String, classes: [String]?, source: any DataSource) throws(BundleError) {
        let database = (source as? SQLiteSource)?.path ?? (source as? PostgresSource)?.endpoint.description ?? source.description
        var columns: [(name: String, type: OutputColumnType)] = [("row", .integer)]
        var keyValues: [QueryParameter] = []
        if let key {
            let keyColumn: Column
            do {
                guard let column = try source.read(options: ReadOptions())[key] else {
                    throw BundleError.inputData(DataError(path: database, message: "--key '\(key)' is not a column of the query's rows"))
                }
                keyColumn = column
            } catch let error as BundleError {
                throw error
            } catch let error as DataError {
                throw .inputData(error)
            } catch {
                throw .internalError("\(error)")
            }
            let numeric = keyColumn.numericValues
            let integral = numeric?.allSatisfy { $0.isNaN || $0 == $0.rounded() } ?? false
            columns.append((key, numeric == nil ? .text : integral ? .integer : .real))
            keyValues = (0..<keyColumn.count).map { row in
                if let numeric { return numeric[row].isNaN ? .null : integral ? .integer(Int64(numeric[row])) : .real(numeric[row]) }
                return keyColumn.text(at: row).map { .text($0) } ?? .null
            }
        }
        var rows: [[QueryParameter]] = []
        switch prediction {
        case .values(let values):
            columns.append(("prediction", .real))
            rows = values.enumerated().map { [.integer(Int64($0.offset + 1))] + (keyValues.isEmpty ? [] : [keyValues[$0.offset]]) + [.real($0.element)] }
        case .classes(let labels, let probabilities):
            let names = classes ?? []
            columns.append(("prediction", .text))
            let withProbabilities = proba && probabilities != nil
            if withProbabilities { columns += names.map { ("proba_" + $0, .real) } }
            rows = labels.enumerated().map { row, label in
                var values: [QueryParameter] = [.integer(Int64(row + 1))] + (keyValues.isEmpty ? [] : [keyValues[row]])
                values.append(names.indices.contains(label) ? .text(names[label]) : .null)
                if withProbabilities, let probabilities { values += names.indices.map { .real(probabilities[row, $0]) } }
                return values
            }
        }
        do {
            if let sqlite = source as? SQLiteSource {
                try SQLiteTableWriter.insert(path: sqlite.path, table: table, columns: columns, rows: rows)
            } else if let postgres = source as? PostgresSource {
                try PostgresTableWriter.insert(endpoint: postgres.endpoint, table: table, columns: columns, rows: rows)
            }
        } catch {
            throw .inputData(error)
        }
    }
}
