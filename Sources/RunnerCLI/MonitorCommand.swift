import ArgumentParser
import Deploy
import Engine
import Foundation
import Monitor
import Packaging
import Tabular

struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Check new data or the server's prediction log for drift against the training profile in a bundle; with labels, for decay.",
        discussion: """
            Each input column is compared with the training rows the bundle profiled, by the \
            test the spec's monitor: section chose (by default Kolmogorov-Smirnov and \
            chi-square for references up to 1,000 rows, normalized Wasserstein and \
            Jensen-Shannon distances above), plus PSI, missing values, out-of-range values \
            and unseen categories; so are the model's predictions. With labels (the target \
            column in --data, or --labels FILE joined by row or by the logged request_id), the \
            model's metrics are compared with its test split's. \
            Exit codes (Nagios'): 0 healthy, 1 warning, 2 alert, 3 the check could not run. \
            --emit writes alerting for a platform (Prometheus rules, CloudWatch, Azure \
            Monitor, Google Cloud Monitoring); --retrain SPEC retrains on the labelled rows \
            and promotes the new model only if it beats the deployed one on held-out rows.
            """
    )

    @Argument(help: "The bundle the deployed server runs (model.bundle).", completion: .file(extensions: ["bundle"]))
    var bundle: String

    @Option(help: "New rows to check: a CSV or JSON Lines file with the model's input columns (and the target, for metrics).", completion: .file())
    var data: String?

    @Option(help: "A folder of prediction logs (runner serve --log-predictions DIR).", completion: .directory)
    var logs: String?

    @Option(help: "True outcomes: a file with the target column, joined row by row with --data, or by request_id (and row) with --logs.", completion: .file())
    var labels: String?

    @Option(help: "With --logs: the newest N rows (1000) or a span of time back from now (90s, 30m, 24h, 7d).")
    var window: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Also write the drift gauges in Prometheus' text format to FILE (for the node exporter's textfile collector or a Pushgateway).")
    var prometheus: String?

    @Option(help: "Write alerting for a platform instead of checking: prometheus, aws, azure or gcp (see --out).")
    var emit: String?

    @Option(help: "With --emit: the folder to write into (default: monitoring/ beside the bundle).")
    var out: String?

    @Option(help: "With --emit: the address the server's /metrics is scraped at.")
    var scrape = "localhost:8080"

    @Option(help: "Retrain with the labelled rows: the spec the bundle was made from. Runs a derived experiment and compares champion and challenger.", completion: .file(extensions: ["yaml", "yml", "json"]))
    var retrain: String?

    @OptionGroup var keys: BundleKeyOptions

    @OptionGroup var store: StoreOptions

    static let unknown = ExitCode(3)

    func validate() throws {
        if emit == nil && (data == nil) == (logs == nil) { throw ValidationError("give the rows to check: --data FILE or --logs DIR (one of them)") }
        if emit != nil && (data != nil || logs != nil || labels != nil || retrain != nil) { throw ValidationError("--emit writes alerting files; it takes no --data, --logs, --labels or --retrain") }
        if window != nil && logs == nil { throw ValidationError("--window narrows --logs") }
        if out != nil && emit == nil { throw ValidationError("--out is for --emit") }
        if retrain != nil && labels == nil && logs != nil { throw ValidationError("--retrain needs labelled rows: --labels FILE for the logged predictions") }
        if let emit, MonitoringWiring.Platform(rawValue: emit) == nil {
            throw ValidationError("--emit takes \(MonitoringWiring.Platform.allCases.map(\.rawValue).joined(separator: ", ")); found '\(emit)'")
        }
    }

    func run() throws {
        let data: Data, decoded: ModelBundle
        do {
            data = try ModelBundle.readFile(path: bundle)
            decoded = try ModelBundle.decode(data, key: ModelBundle.isEncrypted(data) ? try keys.key() : nil).bundle
        } catch {
            printError("error: \(bundle): \(error.description)")
            throw Self.unknown
        }
        let digest = Hashing.sha256(data)
        if let emit, let platform = MonitoringWiring.Platform(rawValue: emit) {
            try emitWiring(platform, decoded)
            return
        }
        let report: DriftReport, labelled: Table?
        do {
            let parsedWindow = try window.map { text throws(MonitorError) in try MonitorWindow(parsing: text) }
            let rows: BundleCheck.Rows = logs.map { .logs($0, window: parsedWindow) } ?? .file(self.data ?? "")
            (report, labelled) = try BundleCheck.run(decoded, bundlePath: bundle, digest: digest, rows: rows, labelsPath: labels,
                                         threads: ProcessInfo.processInfo.activeProcessorCount)
        } catch {
            printError("error: \(error.description)")
            throw Self.unknown
        }
        if let prometheus {
            do {
                try writeOutput(Data(DriftMetrics.exposition([report]).utf8), to: prometheus)
            } catch {
                printError("error: cannot write \(prometheus): \(error.localizedDescription)")
                throw Self.unknown
            }
        }
        print(json ? jsonText(report) : report.text)
        if let retrain {
            try retrainAndCompare(spec: retrain, champion: decoded, championDigest: digest, labelled: labelled)
        }
        if report.status != .ok { throw ExitCode(report.status.exitCode) }
    }

    /// Retrains on the labelled rows and reports champion against challenger.
    private func retrainAndCompare(spec: String, champion: ModelBundle, championDigest: String, labelled: Table?) throws {
        guard let labelled else {
            printError("error: --retrain needs labelled rows: the target column in --data, or --labels FILE")
            throw Self.unknown
        }
        let stamp = Session.newRunID(Date())
        let folder = Session.defaultOutput(specPath: spec, experiment: champion.manifest.provenance.experiment) + "/retrain/\(stamp)"
        let display = ProgressDisplay(style: .choose(quiet: json, logFormat: "text"))
        let outcome: Retraining.Outcome
        do {
            outcome = try Retraining.run(specPath: spec, storePath: store.resolved(spec: spec), labelled: labelled, champion: champion, championDigest: championDigest,
                                         folder: folder, options: ExecutionOptions(jobs: ProcessInfo.processInfo.activeProcessorCount), report: display.handle)
            display.finish()
        } catch {
            display.finish()
            printError("error: retraining: \(error.description)")
            throw Self.unknown
        }
        if json {
            print(jsonText(outcome))
            return
        }
        let comparison = outcome.comparison
        print("retrained: run \(outcome.runID) on the original data and \(outcome.newRows) new labelled rows (derived spec \(outcome.derivedSpec))")
        if !outcome.widened.isEmpty { print("widened grid (the deployed model sat on its edge): \(outcome.widened.joined(separator: ", "))") }
        let champ = comparison.championScore.map { String(format: "%.4f", $0) } ?? "n/a"
        print("champion \(comparison.champion.prefix(12)) \(comparison.metric) \(champ) vs challenger \(comparison.challenger.prefix(12)) \(String(format: "%.4f", comparison.challengerScore)) on \(comparison.holdoutRows) held-out new rows")
        if comparison.promoted {
            print("promoted: \(outcome.challengerBundle) (recorded in the run index); deploy it to replace the champion")
        } else {
            print("kept the champion: the challenger is not better (recorded in the run index)")
        }
    }

    private func emitWiring(_ platform: MonitoringWiring.Platform, _ bundle: ModelBundle) throws {
        let folder = out ?? ((self.bundle as NSString).deletingLastPathComponent.isEmpty ? "monitoring" : (self.bundle as NSString).deletingLastPathComponent + "/monitoring")
        let wiring = MonitoringWiring(model: bundle.manifest.provenance.experiment, scrapeTarget: scrape)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for file in wiring.files(for: platform) {
                let path = folder + "/" + file.path
                try Data(file.contents.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                if file.executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
                print("wrote \(path)")
            }
        } catch {
            printError("error: cannot write into \(folder): \(error.localizedDescription)")
            throw ExitCodes.failure
        }
        for line in wiring.instructions(for: platform) { print(line) }
    }
}
