import ArgumentParser
import DatabaseSources
import Engine
import Foundation
import Packaging
import Tabular

struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Named model versions with stages (staging, production), in the store's index or a shared PostgreSQL database.",
        discussion: """
            Versions are numbered per name and point at the bundle in the store by digest; each \
            records the run, spec and data digests, test metrics, whether the tests passed, who \
            and when. One version per name is in production (and one in staging); every change \
            is kept in the history. `runner serve registry://NAME@production` serves the \
            production version and follows promotions. The registry is the store's index unless \
            --registry or RUNNER_REGISTRY names a PostgreSQL database (postgres://USER@HOST:PORT/DATABASE; \
            the password from RUNNER_REGISTRY's URL or PGPASSWORD, never --registry). \
            Exit codes: 0 done, 1 refused or failed.
            """,
        subcommands: [Add.self, List.self, Show.self, Promote.self, Rollback.self, Remove.self]
    )

    /// Opens the registry (`--registry`, else $RUNNER_REGISTRY, else the store's index) over the
    /// store (`--store`, else $RUNNER_STORE, else .runner).
    static func open(_ store: StoreOptions, _ registry: RegistryOptions) throws -> (ModelRegistry, ContentStore) {
        let (location, passwordAllowed) = registry.resolved
        // A shared registry needs no store of this machine's history: one is made when missing.
        let contentStore = location == nil ? try openStoreOrExit(store.resolved(spec: nil)) : try attempt { try ContentStore.open(store.resolved(spec: nil)) }
        return (try attempt { try ModelRegistry(store: contentStore, location: location, passwordAllowed: passwordAllowed) }, contentStore)
    }

    /// Runs a registry operation, printing a refusal or failure in one line.
    static func attempt<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RegistryError {
            printError("error: \(error.description)")
        } catch let error as StoreError {
            printError("error: \(error.description)")
        } catch let error as DataError {
            printError("error: registry \(error.path): \(error.message)")
        } catch {
            printError("error: \(error)")
        }
        throw ExitCodes.failure
    }

    static func line(_ version: RegistryVersion) -> String {
        let tests = version.testsPassed.map { $0 ? "tests passed" : "tests FAILED" } ?? "no tests"
        return "\(version.name)@\(version.version)  \(version.stage)  bundle \(version.bundle.prefix(12))  run \(version.runID ?? "-")  \(tests)  \(version.addedBy) \(version.added)"
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a run's bundle (a run id or prefix) or a bundle file as the next version of NAME.")

        @Argument(help: "A run id (or unique prefix) or a bundle file.") var source: String
        @Option(help: "The model's name (letters, digits, '_', '-', '.').") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var registryLocation: RegistryOptions
        @OptionGroup var keys: BundleKeyOptions

        func run() throws {
            let (registry, contentStore) = try RegistryCommand.open(store, registryLocation)
            let version: RegistryVersion
            if FileManager.default.fileExists(atPath: source) {
                let (bundle, _) = try loadBundleOrExit(source, keys: keys)
                let bytes: Data
                do {
                    bytes = try ModelBundle.readFile(path: source)
                } catch {
                    printError("error: \(source): \(error.description)")
                    throw ExitCodes.failure
                }
                let manifest = bundle.manifest
                version = try RegistryCommand.attempt {
                    let digest = try contentStore.put(bytes)
                    return try registry.add(name: name, bundle: digest, runID: manifest.provenance.runID, specDigest: manifest.provenance.specDigest,
                                            dataDigest: manifest.provenance.dataDigest, metrics: manifest.metrics["test"] ?? [:], testsPassed: nil)
                }
            } else {
                let results = try recordedRunOrExit(source, in: contentStore)
                guard let digest = results.artifacts["bundle"] else {
                    printError("error: \(RegistryError.noBundle("run \(results.runID)").description)")
                    throw ExitCodes.failure
                }
                version = try RegistryCommand.attempt {
                    try registry.add(name: name, bundle: digest, runID: results.runID, specDigest: results.spec.digest, dataDigest: results.data.digest,
                                     metrics: results.best.test.metrics, testsPassed: results.testsPassed)
                }
            }
            print("registered \(version.name)@\(version.version) (bundle \(version.bundle.prefix(12)))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every registered model: latest, staging and production versions.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var registryLocation: RegistryOptions
        @Flag(help: "Every version as JSON.") var json = false

        func run() throws {
            let (registry, _) = try RegistryCommand.open(store, registryLocation)
            let versions = try RegistryCommand.attempt { try registry.versions() }
            if json {
                print(jsonText(versions))
                return
            }
            guard !versions.isEmpty else {
                print("no registered models (runner registry add RUN --name NAME)")
                return
            }
            var table = TextTable(header: ["name", "versions", "latest", "staging", "production"])
            var names: [String] = []
            for version in versions where !names.contains(version.name) { names.append(version.name) }
            for name in names {
                let own = versions.filter { $0.name == name }
                table.rows.append([name, "\(own.count)", "\(own.last!.version)", own.first { $0.stage == "staging" }.map { "\($0.version)" } ?? "-",
                                   own.first { $0.stage == "production" }.map { "\($0.version)" } ?? "-"])
            }
            print(table.render())
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One model's versions and history, or one version (NAME@VERSION, NAME@production).")
        @Argument(help: "NAME, NAME@VERSION, NAME@staging or NAME@production.") var reference: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var registryLocation: RegistryOptions
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let (registry, _) = try RegistryCommand.open(store, registryLocation)
            if reference.contains("@") {
                let version = try RegistryCommand.attempt { try registry.resolve(reference) }
                if json {
                    print(jsonText(version))
                } else {
                    print(RegistryCommand.line(version))
                    print("spec \(version.specDigest ?? "-")  data \(version.dataDigest ?? "-")")
                    print("metrics \(version.metrics)")
                }
                return
            }
            let name = try RegistryCommand.attempt { try ModelRegistry.parse(reference).name }
            let versions = try RegistryCommand.attempt { try registry.versions(name: name) }
            guard !versions.isEmpty else {
                printError("error: \(RegistryError.unknownName(name).description)")
                throw ExitCodes.failure
            }
            let history = try RegistryCommand.attempt { try registry.history(name: name) }
            if json {
                struct Shown: Encodable { var versions: [RegistryVersion]; var history: [RegistryEvent] }
                print(jsonText(Shown(versions: versions, history: history)))
                return
            }
            for version in versions { print(RegistryCommand.line(version)) }
            print("history:")
            for event in history {
                print("  \(event.at)  \(event.event) \(name)@\(event.version)\(event.stage.map { " -> \($0)" } ?? "")  by \(event.actor)")
            }
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "promote", abstract: "Put NAME@VERSION in staging or production (the version there before is archived).")
        @Argument(help: "NAME@VERSION.") var reference: String
        @Option(help: "staging or production.") var stage: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var registryLocation: RegistryOptions

        func validate() throws {
            guard ModelRegistry.stages.contains(stage) else { throw ValidationError("--stage must be staging or production") }
        }

        func run() throws {
            let (registry, _) = try RegistryCommand.open(store, registryLocation)
            let parsed = try RegistryCommand.attempt { try ModelRegistry.parse(reference) }
            guard let number = parsed.version else {
                printError("error: promote names one version: \(parsed.name)@VERSION")
                throw ExitCodes.failure
            }
            let version = try RegistryCommand.attempt { try registry.promote(name: parsed.name, version: number, stage: stage) }
            print("\(version.name)@\(version.version) is in \(stage)")
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Put the previous production version of NAME back in production.")
        @Argument(help: "The model's name.") var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var registryLocation: RegistryOptions

        func run() throws {
            let (registry, _) = try RegistryCommand.open(store, registryLocation)
            let version = try RegistryCommand.attempt { try registry.rollback(name: name) }
            print("\(version.name)@\(version.version) is in production again")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Forget NAME@VERSION (not while it is in production; the history keeps it).")
        @Argument(help: "NAME@VERSION.") var reference: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var registryLocation: RegistryOptions

        func run() throws {
            let (registry, _) = try RegistryCommand.open(store, registryLocation)
            let parsed = try RegistryCommand.attempt { try ModelRegistry.parse(reference) }
            guard let number = parsed.version else {
                printError("error: remove names one version: \(parsed.name)@VERSION")
                throw ExitCodes.failure
            }
            try RegistryCommand.attempt { try registry.remove(name: parsed.name, version: number) }
            print("removed \(parsed.name)@\(number)")
        }
    }
}

/// Where the registry is: `--registry URL` (no password on a command line), else
/// RUNNER_REGISTRY (may hold one), else the store's own index.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("registry"), help: "A shared registry: postgres://USER@HOST:PORT/DATABASE[?sslmode=...] (default: $RUNNER_REGISTRY, else the store's index).")
    var location: String?

    var resolved: (location: String?, passwordAllowed: Bool) {
        if let location { return (location, false) }
        if let shared = ProcessInfo.processInfo.environment["RUNNER_REGISTRY"], !shared.isEmpty { return (shared, true) }
        return (nil, false)
    }
}
