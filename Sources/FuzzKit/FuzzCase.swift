import Foundation

/// One generated input and the commands that exercise it: a folder of files plus `case.json`.
/// Failing cases are written out in this form, and `Tests/Fixtures/fuzz/cases/` replays them.
public struct FuzzCase: Codable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case spec, data, bundle
    }

    /// A runner invocation and what its result must satisfy.
    public struct Command: Codable, Sendable, Equatable {
        public var arguments: [String]
        /// Run only when the command at this index exited 0 (`run` after a passing `validate`).
        public var after: Int?
        /// Spec errors must carry a position (FILE:LINE:COL) in this spec file.
        public var specFile: String?
        /// On exit 0, stdout must hold no NaN or infinity.
        public var finiteOutput: Bool
        /// The command's documented exit codes when they are not 0, 1 and 2 (`runner
        /// monitor`: 0-3).
        public var statuses: [Int32]?

        public init(_ arguments: [String], after: Int? = nil, specFile: String? = nil, finiteOutput: Bool = false, statuses: [Int32]? = nil) {
            self.arguments = arguments
            self.after = after
            self.specFile = specFile
            self.finiteOutput = finiteOutput
            self.statuses = statuses
        }
    }

    public var kind: Kind
    /// The campaign seed and the case's index in it: together they regenerate the case.
    public var seed: UInt64
    public var index: Int
    /// What was done to the seed input, for the reader of a failure.
    public var mutations: [String]
    public var commands: [Command]
    /// Files of the case folder, by name (not part of case.json; written beside it).
    public var files: [String: Data]

    enum CodingKeys: String, CodingKey { case kind, seed, index, mutations, commands }

    public init(kind: Kind, seed: UInt64, index: Int, mutations: [String], commands: [Command], files: [String: Data]) {
        self.kind = kind
        self.seed = seed
        self.index = index
        self.mutations = mutations
        self.commands = commands
        self.files = files
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        seed = try container.decode(UInt64.self, forKey: .seed)
        index = try container.decode(Int.self, forKey: .index)
        mutations = try container.decode([String].self, forKey: .mutations)
        commands = try container.decode([Command].self, forKey: .commands)
        files = [:]
    }

    public var name: String { "\(kind.rawValue)-\(seed)-\(index)" }

    /// Writes the files and case.json into `folder` (created).
    public func write(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, data) in files { try data.write(to: URL(fileURLWithPath: folder + "/" + name)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: URL(fileURLWithPath: folder + "/case.json"))
    }

    /// A case folder as written by `write(to:)`.
    public static func read(from folder: String) throws -> FuzzCase {
        var fuzzCase = try JSONDecoder().decode(FuzzCase.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/case.json")))
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name != "case.json" {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder), !isFolder.boolValue {
                fuzzCase.files[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            }
        }
        return fuzzCase
    }

    /// Runs the commands in a fresh folder; the failures found (empty: the case passes).
    public func replay(with runner: ChildProcess) throws -> [Failure] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runner-fuzz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, data) in files { try data.write(to: URL(fileURLWithPath: folder + "/" + name)) }
        var statuses: [Int32?] = []
        var failures: [Failure] = []
        for command in commands {
            if let after = command.after, after < statuses.count, statuses[after] != 0 {
                statuses.append(nil)
                continue
            }
            let outcome = try runner.run(command.arguments, in: folder)
            statuses.append(outcome.status)
            if let reason = Oracle.judge(command, outcome) {
                failures.append(Failure(command: command.arguments, reason: reason, stderr: String(outcome.stderr.prefix(2000))))
            }
        }
        return failures
    }
}

/// A command whose result broke a rule.
public struct Failure: Codable, Sendable, CustomStringConvertible {
    public var command: [String]
    public var reason: String
    public var stderr: String

    /// The kind of failure, without the numbers and names that vary between instances,
    /// so minimization keeps the same bug rather than any bug.
    public var signature: String {
        let head = reason.split(separator: ":").first.map(String.init) ?? reason
        return (command.first ?? "") + " " + head.filter { !$0.isNumber }
    }

    public var description: String { "runner \(command.joined(separator: " ")): \(reason)" }
}
