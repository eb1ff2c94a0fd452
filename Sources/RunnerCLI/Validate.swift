import ArgumentParser
import Learn
import Spec

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check an experiment spec and its data; report every problem as FILE:LINE:COL.",
        discussion: "Exits 0 when the spec is valid (warnings allowed), 2 when it is not."
    )

    @Argument(help: "The experiment spec (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var spec: String

    @Flag(name: .customLong("skip-data"), help: "Check the spec alone, without reading the data file.")
    var skipData = false

    func run() throws {
        let check = SpecLoader.load(path: spec, checkData: !skipData)
        for diagnostic in check.diagnostics { printError(diagnostic.description) }
        guard check.isValid, let experiment = check.experiment else {
            let count = check.errors.count
            printError("\(spec): \(count) error\(count == 1 ? "" : "s")")
            throw ExitCodes.invalidSpec
        }
        print(ValidationSummary(experiment: experiment, task: check.task, rows: check.table?.rowCount).text(for: spec))
    }
}
