import ArgumentParser
import Foundation
import Spec

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the experiment spec's JSON Schema (for editors: yaml-language-server, VS Code, JetBrains).",
        discussion: "The schema this runner validates against; `runner init` writes it beside a new spec."
    )

    @Option(name: .customLong("out"), help: "Write it to this file instead of stdout.")
    var output: String?

    func run() throws {
        guard let output else {
            print(ExperimentSchemaText.json, terminator: "")
            return
        }
        do {
            try writeOutput(Data(ExperimentSchemaText.json.utf8), to: output)
        } catch {
            printError("error: cannot write \(output): \(error)")
            throw ExitCodes.failure
        }
    }
}
