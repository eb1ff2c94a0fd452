import DatabaseSources
import Foundation
import Learn
import Tabular
import Yams

/// Turns a YAML/JSON node tree into an `Experiment`, reporting every structural problem.
/// Checks that need the data (columns, task) live in `DataChecks`.
struct SpecDecoder {
    static let topLevelKeys = ["version", "name", "seed", "data", "split", "preprocess", "models", "search", "metrics", "package", "deploy", "monitor", "tests", "remote"]
    static let supportedVersion = 1

    var reader: NodeReader
    /// Folder that relative data paths are resolved against.
    let baseDirectory: String
    let defaultName: String

    init(file: String, baseDirectory: String, defaultName: String) {
        reader = NodeReader(file: file)
        self.baseDirectory = baseDirectory
        self.defaultName = defaultName
    }

    mutating func decode(_ root: Node) -> Experiment? {
        guard let top = reader.mapping(root, in: "the spec", allowed: Self.topLevelKeys, required: ["version", "data", "models"]) else {
            return nil
        }
        var version: Int?
        if let entry = top["version"], let value = reader.int(entry.value, "version", atLeast: 1) {
            if value == Self.supportedVersion {
                version = value
            } else {
                reader.error(entry.value.location, "unsupported spec version \(value); this runner reads version \(Self.supportedVersion)")
            }
        }
        var name = defaultName
        if let entry = top["name"], let value = reader.text(entry.value, "name") {
            if value.isEmpty || value.contains(where: { !($0.isLetter || $0.isNumber || "_-.".contains($0)) }) || value.hasPrefix(".") {
                reader.error(entry.value.location, "name '\(value)' may only hold letters, digits, '_', '-' and '.' (it names the output folder)")
            } else {
                name = value
            }
        }
        var seed: UInt64 = 0
        if let entry = top["seed"], let value = reader.int(entry.value, "seed", atLeast: 0) { seed = UInt64(value) }
        let data = top["data"].flatMap { decodeData($0.value) }
        let split = top["split"].map { decodeSplit($0.value) } ?? SplitSpec()
        let preprocess = top["preprocess"].map { decodePreprocess($0.value) } ?? []
        let models = top["models"].map { decodeModels($0.value) } ?? []
        let search = top["search"].map { decodeSearch($0.value) } ?? SearchSpec()
        let metrics = top["metrics"].map { decodeMetrics($0.value) } ?? []
        let package = top["package"].map { decodePackage($0.value) } ?? PackageSpec()
        let deploy = top["deploy"].map { decodeDeploy($0.value) } ?? []
        let monitor = top["monitor"].map { decodeMonitor($0.value) } ?? MonitorSpec()
        let tests = top["tests"].map { decodeTests($0.value) } ?? []
        var remote: Located<String>?
        if let entry = top["remote"], let url = reader.text(entry.value, "remote") {
            if !(url.hasPrefix("s3://") && url.count > 5) && !url.hasPrefix("file:///") {
                reader.error(entry.value.location, "remote must be s3://BUCKET/PREFIX or file:///PATH, found '\(url)' (credentials come from the environment, never the spec)")
            } else if url.contains("@") || url.contains("?") {
                reader.error(entry.value.location, "remote names a place only, no credentials or parameters: s3://BUCKET/PREFIX (credentials come from AWS_* variables or ~/.aws)")
            } else {
                remote = Located(url, at: entry.value.location)
            }
        }

        // Keep going with what decoded, so data checks can report their problems too;
        // the loader discards the experiment when anything was an error.
        guard let data else { return nil }
        let experiment = Experiment(
            version: version ?? Self.supportedVersion, name: name, seed: seed, data: data, split: split, preprocess: preprocess,
            models: models, search: search, metrics: metrics, package: package, deploy: deploy, monitor: monitor, tests: tests, remote: remote)
        checkConsistency(experiment)
        return experiment
    }

    // MARK: data

    /// `{sqlite: FILE, query, params}` or `{postgres: {url | url_env, password_env | password_file}, query, params}`.
    private mutating func decodeDatabaseSource(_ node: Node) -> (source: Located<String>, query: DataSpec.DatabaseQuery)? {
        guard case .mapping(let mapping) = node else { return nil }
        let engineKey = mapping["postgres"] != nil ? "postgres" : "sqlite"
        guard let fields = reader.mapping(node, in: "'data.source'", allowed: [engineKey, "query", "params"], required: [engineKey, "query"]),
              let engineEntry = fields[engineKey], let queryEntry = fields["query"],
              let query = reader.text(queryEntry.value, "data.source.query") else { return nil }
        var parameters: [QueryParameter] = []
        if let params = fields["params"], let items = reader.list(params.value, "data.source.params") {
            for item in items {
                switch item.scalarValue {
                case .int(let value)?: parameters.append(.integer(Int64(value)))
                case .double(let value)? where value.isFinite: parameters.append(.real(value))
                case .null?: parameters.append(.null)
                case .string(let value)?: parameters.append(.text(value))
                case .bool(let value)?: parameters.append(.integer(value ? 1 : 0))
                default: reader.error(item.location, "data.source.params entries must be strings or numbers")
                }
            }
        }
        if query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            reader.error(queryEntry.value.location, "data.source.query is empty; write the SELECT that returns the rows")
        }
        if engineKey == "sqlite" {
            guard let path = reader.text(engineEntry.value, "data.source.sqlite") else { return nil }
            return (Located(path, at: engineEntry.value.location),
                    DataSpec.DatabaseQuery(engine: .sqlite, query: query, parameters: parameters, location: queryEntry.value.location))
        }
        guard let connection = decodePostgresConnection(engineEntry.value) else { return nil }
        let source = PostgresSource(endpoint: connection.endpoint, query: query, parameters: parameters)
        return (Located(connection.written, at: engineEntry.value.location),
                DataSpec.DatabaseQuery(engine: .postgres(source), query: query, parameters: parameters, location: queryEntry.value.location))
    }

    /// The server and login of `postgres:`: a URL without a password (`url`), or the name of an
    /// environment variable holding the URL (`url_env`); the password from `password_env`,
    /// `password_file`, the URL of `url_env`, or PGPASSWORD. `written` is what the lock records.
    private mutating func decodePostgresConnection(_ node: Node) -> (endpoint: PostgresEndpoint, written: String)? {
        guard let fields = reader.mapping(node, in: "'data.source.postgres'", allowed: ["url", "url_env", "password_env", "password_file"], required: []) else {
            return nil
        }
        guard (fields["url"] == nil) != (fields["url_env"] == nil) else {
            reader.error(node.location, "data.source.postgres needs exactly one of url (postgres://USER@HOST:PORT/DATABASE, no password) or url_env (an environment variable holding the URL)")
            return nil
        }
        if fields["password_env"] != nil, fields["password_file"] != nil {
            reader.error(fields["password_file"]?.keyLocation, "give the password one way: password_env or password_file")
            return nil
        }
        var password = PostgresEndpoint.PasswordSource.standard
        if let entry = fields["password_env"], let name = reader.text(entry.value, "data.source.postgres.password_env") {
            password = .environment(name)
        }
        if let entry = fields["password_file"], let path = reader.text(entry.value, "data.source.postgres.password_file") {
            password = .file(resolve(path))
        }
        let text: String
        let written: String
        let location: SourceLocation?
        if let entry = fields["url"] {
            guard let url = reader.text(entry.value, "data.source.postgres.url") else { return nil }
            text = url
            written = PostgresEndpoint.redacted(url)
            location = entry.value.location
        } else {
            guard let entry = fields["url_env"], let name = reader.text(entry.value, "data.source.postgres.url_env") else { return nil }
            guard let url = ProcessInfo.processInfo.environment[name], !url.isEmpty else {
                reader.error(entry.value.location, "data.source.postgres.url_env: the environment variable \(name) is not set (it holds postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
                return nil
            }
            text = url
            written = "postgres (URL in $\(name))"
            location = entry.value.location
        }
        do {
            let endpoint = try PostgresEndpoint.parse(text, allowPassword: fields["url"] == nil, password: password)
            if case .inURL = endpoint.password, password != .standard {
                reader.error(location, "the URL in the environment holds a password and password_\(fields["password_env"] != nil ? "env" : "file") gives another; keep one")
                return nil
            }
            return (endpoint, written)
        } catch {
            reader.error(location, "data.source.postgres: \(error.message)")
            return nil
        }
    }

    private mutating func decodeData(_ node: Node) -> DataSpec? {
        guard let entries = reader.mapping(node, in: "'data'", allowed: ["source", "target", "task", "drop", "types"], required: ["source", "target"]) else {
            return nil
        }
        var source: Located<String>?
        var format: DataFormat?
        var delimiter: UInt8?
        var naValues: [String]?
        var database: DataSpec.DatabaseQuery?
        if let entry = entries["source"] {
            if case .mapping(let mapping) = entry.value, mapping["sqlite"] != nil || mapping["postgres"] != nil {
                if let decoded = decodeDatabaseSource(entry.value) {
                    source = decoded.source
                    database = decoded.query
                }
            } else if case .mapping = entry.value {
                if let fields = reader.mapping(entry.value, in: "'data.source'", allowed: ["path", "format", "delimiter", "na_values", "sqlite", "postgres", "query", "params"], required: ["path"]) {
                    for key in ["query", "params"] where fields[key] != nil {
                        reader.error(fields[key]?.keyLocation, "data.source.\(key) goes with a database source: {sqlite: FILE, query: \"SELECT ...\"} or {postgres: {url_env: VARIABLE}, query: \"SELECT ...\"}")
                    }
                    if let path = fields["path"], let text = reader.text(path.value, "data.source.path") {
                        source = Located(text, at: path.value.location)
                    }
                    if let value = fields["format"] { format = reader.choice(value.value, "data format", as: DataFormat.self) }
                    if let value = fields["delimiter"] { delimiter = decodeDelimiter(value.value) }
                    if let value = fields["na_values"], let items = reader.list(value.value, "data.source.na_values") {
                        naValues = items.compactMap { item in
                            guard let scalar = item.scalar else {
                                reader.error(item.location, "na_values entries must be strings")
                                return nil
                            }
                            return scalar.string
                        }
                    }
                }
            } else if let text = reader.text(entry.value, "data.source") {
                source = Located(text, at: entry.value.location)
            }
        }
        var target: Located<String>?
        if let entry = entries["target"], let text = reader.text(entry.value, "data.target") {
            target = Located(text, at: entry.value.location)
        }
        let task = entries["task"].flatMap { reader.choice($0.value, "task", as: LearningTask.self) }
        var drop: [Located<String>] = []
        if let entry = entries["drop"] { drop = decodeNames(entry.value, "data.drop") }
        var types: [(column: Located<String>, kind: ColumnKind)] = []
        if let entry = entries["types"] {
            if case .mapping(let mapping) = entry.value {
                for (key, value) in mapping {
                    guard let column = key.scalar?.string else { continue }
                    if let kind = reader.choice(value, "column type", as: ColumnKind.self) {
                        types.append((Located(column, at: key.location), kind))
                    }
                }
            } else {
                reader.error(entry.value.location, "data.types must be a mapping of column name to numeric, categorical or boolean")
            }
        }
        guard let source, let target else { return nil }
        return DataSpec(
            source: source, resolvedPath: resolve(source.value), format: format, delimiter: delimiter,
            naValues: naValues, target: target, task: task, drop: drop, types: types, database: database)
    }

    private mutating func decodeDelimiter(_ node: Node) -> UInt8? {
        guard let text = reader.text(node, "delimiter") else { return nil }
        let named: [String: UInt8] = ["tab": 0x09, "\\t": 0x09]
        if let byte = named[text] { return byte }
        guard text.utf8.count == 1, let byte = text.utf8.first, byte != UInt8(ascii: "\""), byte != 0x0A, byte != 0x0D else {
            reader.error(node.location, "delimiter must be one ASCII character other than a quote or line break (or 'tab'), found '\(text)'")
            return nil
        }
        return byte
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory.isEmpty ? path : baseDirectory + "/" + path)
    }

    mutating func decodeNames(_ node: Node, _ what: String) -> [Located<String>] {
        if case .scalar = node, let text = reader.text(node, what) { return [Located(text, at: node.location)] }
        guard let items = reader.list(node, what) else { return [] }
        return items.compactMap { item in reader.text(item, "entries of \(what)").map { Located($0, at: item.location) } }
    }

    // MARK: split and search

    private mutating func decodeSplit(_ node: Node) -> SplitSpec {
        var split = SplitSpec()
        guard let entries = reader.mapping(node, in: "'split'", allowed: ["test_size", "stratify", "shuffle"]) else { return split }
        if let entry = entries["test_size"] {
            split.testSizeLocation = entry.value.location
            switch entry.value.scalarValue {
            case .int(let rows)? where rows >= 1: split.testSize = .rows(rows)
            case .double(let fraction)? where fraction > 0 && fraction < 1: split.testSize = .fraction(fraction)
            default:
                reader.error(entry.value.location, "split.test_size must be a fraction between 0 and 1 (exclusive) or a row count >= 1, found \(entry.value.scalar?.string ?? entry.value.kindName)")
            }
        }
        if let entry = entries["stratify"] {
            split.stratify = reader.bool(entry.value, "split.stratify")
            split.stratifyLocation = entry.value.location
        }
        if let entry = entries["shuffle"], let value = reader.bool(entry.value, "split.shuffle") { split.shuffle = value }
        if split.stratify == true, !split.shuffle, let entry = entries["shuffle"] {
            reader.error(entry.value.location, "a stratified split needs shuffle: true (as in scikit-learn)")
        }
        return split
    }

    private mutating func decodeSearch(_ node: Node) -> SearchSpec {
        var search = SearchSpec()
        guard let entries = reader.mapping(node, in: "'search'", allowed: ["cv", "stratified", "shuffle", "scoring", "strategy"]) else { return search }
        if let entry = entries["cv"] {
            search.cvLocation = entry.value.location
            if let folds = reader.int(entry.value, "search.cv", atLeast: 2) { search.cv = folds }
        }
        if let entry = entries["stratified"] {
            search.stratified = reader.bool(entry.value, "search.stratified")
            search.stratifiedLocation = entry.value.location
        }
        if let entry = entries["shuffle"], let value = reader.bool(entry.value, "search.shuffle") { search.shuffle = value }
        if let entry = entries["scoring"], let metric = decodeMetric(entry.value) {
            search.scoring = Located(metric, at: entry.value.location)
        }
        if let entry = entries["strategy"] {
            if case .mapping = entry.value {
                if let fields = reader.mapping(entry.value, in: "'search.strategy'", allowed: ["random"], required: ["random"]),
                   let count = fields["random"].flatMap({ reader.int($0.value, "search.strategy.random", atLeast: 1) }) {
                    search.strategy = .random(count)
                }
            } else if case .string(let word)? = entry.value.scalarValue {
                if word == "grid" {
                    search.strategy = .grid
                } else {
                    reader.error(entry.value.location, "unknown search strategy '\(word)'\(Suggestion.hint(for: word, among: ["grid", "random"])); expected 'grid' or {random: N}")
                }
            } else {
                reader.error(entry.value.location, "search.strategy must be 'grid' or {random: N}, found \(entry.value.kindName)")
            }
        }
        return search
    }

    // MARK: package

    private mutating func decodePackage(_ node: Node) -> PackageSpec {
        var package = PackageSpec()
        guard let entries = reader.mapping(node, in: "'package'", allowed: ["formats", "encrypt", "sign"]) else { return package }
        if let entry = entries["formats"], let items = reader.list(entry.value, "package.formats") {
            package.formats = items.compactMap { reader.choice($0, "package format", as: PackageSpec.Format.self) }
            if items.isEmpty { reader.error(entry.value.location, "package.formats is empty; list at least 'bundle'") }
        }
        if let entry = entries["encrypt"], let fields = reader.mapping(entry.value, in: "'package.encrypt'", allowed: ["key_env", "key_file"]) {
            switch (fields["key_env"], fields["key_file"]) {
            case (let variable?, nil):
                if let name = reader.text(variable.value, "package.encrypt.key_env") {
                    if name.isEmpty || !name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) || name.first!.isNumber {
                        reader.error(variable.value.location, "package.encrypt.key_env must name an environment variable (letters, digits, underscores), found '\(name)'; the key itself never goes in the spec")
                    } else {
                        package.encryptionKey = .environment(name)
                    }
                }
            case (nil, let file?):
                if let path = reader.text(file.value, "package.encrypt.key_file") { package.encryptionKey = .file(resolve(path)) }
            case (nil, nil):
                reader.error(entry.value.location, "package.encrypt needs key_env: VARIABLE or key_file: path")
            default:
                reader.error(entry.value.location, "package.encrypt takes key_env or key_file, not both")
            }
        }
        if let entry = entries["sign"], let fields = reader.mapping(entry.value, in: "'package.sign'", allowed: ["key_file"], required: ["key_file"]),
           let file = fields["key_file"], let path = reader.text(file.value, "package.sign.key_file") {
            package.signingKeyFile = resolve(path)
        }
        return package
    }

    // MARK: metrics

    private mutating func decodeMetric(_ node: Node) -> Metric? {
        guard case .string(let word)? = node.scalarValue else {
            reader.error(node.location, "a metric must be a name such as 'accuracy' or 'rmse', found \(node.kindName)")
            return nil
        }
        if let metric = Metric(rawValue: word) { return metric }
        let sklearnAliases: [String: Metric] = [
            "neg_root_mean_squared_error": .rmse, "neg_mean_squared_error": .mse, "neg_mean_absolute_error": .mae,
            "neg_log_loss": .logLoss, "neg_mean_absolute_percentage_error": .mape, "roc_auc_ovr": .rocAUC,
        ]
        if let metric = sklearnAliases[word] {
            reader.error(node.location, "write metric '\(word)' as '\(metric.rawValue)': runner reports every metric in its natural direction")
            return nil
        }
        reader.error(node.location, "unknown metric '\(word)'\(Suggestion.hint(for: word, among: Metric.names)); expected one of \(listing(Metric.names))")
        return nil
    }

    private mutating func decodeMetrics(_ node: Node) -> [Located<Metric>] {
        guard let items = reader.list(node, "metrics") else { return [] }
        var seen = Set<Metric>()
        var metrics: [Located<Metric>] = []
        for item in items {
            guard let metric = decodeMetric(item) else { continue }
            if !seen.insert(metric).inserted {
                reader.warning(item.location, "metric '\(metric.rawValue)' is listed twice")
                continue
            }
            metrics.append(Located(metric, at: item.location))
        }
        return metrics
    }

    // MARK: consistency without data

    /// Checks that need the whole spec but not the data: one task for every metric and model.
    private mutating func checkConsistency(_ experiment: Experiment) {
        if experiment.package.formats.contains(.onnx) {
            for model in experiment.models where ModelFamily.named(model.type.value)?.exportsToONNX == false {
                reader.warning(model.type.location, "\(model.type.value) has no ONNX export: if '\(model.name.value)' wins, packaging fails; drop it or 'onnx' from package.formats")
            }
        }
        for target in experiment.deploy {
            if target.model == nil, !experiment.package.formats.contains(.bundle) {
                reader.error(target.name.location, "deploy target '\(target.name.value)' serves the bundle, but package.formats leaves it out; add 'bundle'")
            }
            if experiment.package.encryptionKey != nil, target.secrets.bundleKey == nil {
                reader.error(target.name.location, "the bundle is encrypted, so deploy target '\(target.name.value)' needs secrets.bundle_key naming where its server reads the key")
            }
            if experiment.package.encryptionKey == nil, target.secrets.bundleKey != nil {
                reader.warning(target.name.location, "deploy target '\(target.name.value)' names a bundle_key, but the bundle is not encrypted (package.encrypt)")
            }
        }
        checkNativeCategorical(experiment)
        guard let task = experiment.data.task else { return }
        TaskChecks.check(experiment, task: task, because: "the spec sets task: \(task.rawValue)", classCount: nil, reader: &reader)
    }

    /// `categorical: native` splits the columns an ordinal step leaves as codes: refused when
    /// no ordinal step exists, or a later step rewrites every column it encodes (a step on
    /// numeric or all columns also takes the codes, which are numbers by then).
    private mutating func checkNativeCategorical(_ experiment: Experiment) {
        let native = ParamValue.string("native")
        for model in experiment.models where model.type.value == ModelFamily.histGradientBoosting.name {
            let location: SourceLocation?
            if let param = model.params["categorical"], param.value == native {
                location = param.location
            } else if let value = model.grid.first(where: { $0.name.value == "categorical" })?.values.first(where: { $0.value == native }) {
                location = value.location
            } else {
                continue
            }
            guard let ordinal = experiment.preprocess.lastIndex(where: { $0.value.kind == .ordinal }) else {
                reader.error(location, "hist_gradient_boosting.categorical: native splits the columns an ordinal step encodes, and preprocess has none; encode the categorical columns with ordinal (not one_hot)")
                continue
            }
            let later = experiment.preprocess[(ordinal + 1)...].first { step in
                if case .dropMissing(.rows, _, _) = step.value { return false }
                return step.value.columns == .numeric || step.value.columns == .all
            }
            if let later {
                let which = later.value.columns == .all ? "all" : "numeric"
                reader.error(location, "hist_gradient_boosting.categorical: native splits the columns an ordinal step encodes, and the \(later.value.kindName) step on \(which) columns (line \(later.location?.line ?? 0)) comes after it and rewrites the codes; move the ordinal step after it")
                continue
            }
            checkNamedCodesRewritten(experiment, location: location)
        }
    }

    /// Columns ordinal steps name and a later step names too (impute, scale, one_hot,
    /// drop_missing on columns) reach the model as numbers, not codes (the pipeline's
    /// `FittedTransformer.categoryCounts(after:)`): all of them an error, some a warning
    /// naming them. Columns an ordinal step picks by kind are known only with the data.
    private mutating func checkNamedCodesRewritten(_ experiment: Experiment, location: SourceLocation?) {
        var codes: [String] = []
        var byKind = false
        var rewritten: [(column: String, step: Located<PreprocessStep>)] = []
        for step in experiment.preprocess {
            let named: [String]
            switch step.value.columns {
            case .names(let names): named = names.map(\.value)
            default: named = []
            }
            if case .ordinal = step.value {
                if named.isEmpty { byKind = true }
                for column in named where !codes.contains(column) { codes.append(column) }
                rewritten.removeAll { named.contains($0.column) }
                continue
            }
            if case .dropMissing(.rows, _, _) = step.value { continue }
            for column in named where codes.contains(column) && !rewritten.contains(where: { $0.column == column }) {
                rewritten.append((column, step))
            }
        }
        guard let first = rewritten.first else { return }
        let listing = rewritten.map { "'\($0.column)' (\($0.step.value.kindName), line \($0.step.location?.line ?? 0))" }.joined(separator: ", ")
        if !byKind && rewritten.count == codes.count {
            reader.error(location, "hist_gradient_boosting.categorical: native splits the columns an ordinal step encodes, and a later step rewrites every one of them: \(listing); move the ordinal step after the \(first.step.value.kindName) step")
        } else {
            reader.warning(location, "hist_gradient_boosting.categorical: native splits the columns an ordinal step encodes, and a later step rewrites \(listing): \(rewritten.count == 1 ? "it is" : "they are") split as numbers, not as categories; move the ordinal step after the \(first.step.value.kindName) step to keep \(rewritten.count == 1 ? "it" : "them") categorical")
        }
    }
}
