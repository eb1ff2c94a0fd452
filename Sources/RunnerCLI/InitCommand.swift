import ArgumentParser
import Foundation
import Spec
import Tabular

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter spec from a data file: task, preprocessing, models, metrics.",
        discussion: """
            The task is inferred from the target column, preprocessing from the column types and \
            missing values, and the models and grids are sized to the row count. The spec \
            validates and runs as written. An existing --out file is not overwritten (--force \
            overwrites). Exits 0 on success, 1 when the data cannot be read or the spec exists.
            """
    )

    @Argument(help: "A CSV, TSV or JSON Lines file.", completion: .file(extensions: ["csv", "tsv", "jsonl", "ndjson"]))
    var data: String

    @Option(help: "The column to predict.")
    var target: String

    @Option(name: .customLong("out"), help: "The spec to write (default: exp.yaml in the current folder).")
    var output = "exp.yaml"

    @Option(help: "The experiment's name (default: the data file's name).")
    var name: String?

    @Flag(help: "Overwrite an existing spec.")
    var force = false

    @Flag(name: .customLong("no-schema"), help: "Do not write experiment.schema.json beside the spec (editors read it through the spec's first line).")
    var noSchema = false

    func run() throws {
        if FileManager.default.fileExists(atPath: output), !force {
            printError("error: \(output) exists; choose another --out or pass --force to overwrite it")
            throw ExitCodes.failure
        }
        let table: Table
        do {
            table = try TableReader.read(path: data, options: ReadOptions())
        } catch {
            printError(error.description)
            throw ExitCodes.failure
        }
        let specFolder = URL(fileURLWithPath: output).deletingLastPathComponent().standardizedFileURL.path
        let stem = ((data as NSString).lastPathComponent as NSString).deletingPathExtension
        let cleaned = String(stem.map { $0.isLetter || $0.isNumber || "_-.".contains($0) ? $0 : "_" })
        let experiment = name ?? (cleaned.isEmpty || cleaned.hasPrefix(".") ? "experiment" : cleaned)
        let text: String
        do {
            text = try StarterSpec.text(table: table, dataPath: relativePath(of: data, from: specFolder), target: target, name: experiment,
                                        schemaPath: noSchema ? nil : Self.schemaFile)
        } catch {
            printError("error: \(error.description)")
            throw ExitCodes.failure
        }
        do {
            try FileManager.default.createDirectory(atPath: specFolder, withIntermediateDirectories: true)
            try writeOutput(Data(text.utf8), to: output)
        } catch {
            printError("error: cannot write \(output): \(error)")
            throw ExitCodes.failure
        }
        // The schema beside the spec, so the editor line works at once; one already there is kept.
        let schema = (specFolder as NSString).appendingPathComponent(Self.schemaFile)
        var written = [output]
        if !noSchema, !FileManager.default.fileExists(atPath: schema) {
            do {
                try writeOutput(Data(ExperimentSchemaText.json.utf8), to: schema)
                written.append(schema)
            } catch {
                printError("warning: cannot write \(schema): \(error); `runner schema --out FILE` writes it")
            }
        }
        print("wrote \(written.joined(separator: " and ")); next: runner run \(output)")
    }

    static let schemaFile = "experiment.schema.json"

    /// `path` relative to `folder` (both made absolute), so the spec finds its data wherever it is run from.
    private func relativePath(of path: String, from folder: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: folder).standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        // Nothing shared but the root: the absolute path says more than a climb of "../".
        if common <= 1 { return URL(fileURLWithPath: path).standardizedFileURL.path }
        let parts = Array(repeating: "..", count: base.count - common) + target[common...]
        return parts.joined(separator: "/")
    }
}
