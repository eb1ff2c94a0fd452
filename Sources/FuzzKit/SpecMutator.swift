import Foundation

/// Spec mutants: edits of the spec's tree (values, keys, shapes) and of its text (truncation,
/// encodings, line ends, control characters, aliases, nesting).
struct SpecMutator {
    static let interestingScalars: [(String, Bool)] = [
        ("0", false), ("-1", false), ("1", false), ("2", false), ("3", false), ("0.5", false), ("-0.0", false),
        ("1e-320", false), ("1e308", false), ("-1e308", false), ("1e400", false), ("9223372036854775807", false),
        ("-9223372036854775808", false), ("9223372036854775808", false), ("18446744073709551616", false), ("4294967296", false),
        ("1000", false), (".nan", false), (".inf", false), ("-.inf", false), ("nan", false), ("inf", false), ("true", false),
        ("false", false), ("null", false), ("~", false), ("yes", false), ("NO", false), ("", true), ("abc", false),
        ("species", false), ("data.csv", false), ("/dev/zero", false), ("/etc/passwd", false), ("../../../../etc/hostname", false),
        ("0x10", false), ("1_000", false), ("0o17", false), ("+1", false), ("1:30", false), ("2001-01-01", false), ("é", false),
        ("🐧", false), (String(repeating: "a", count: 10_000), false), ("$HOME", false), ("%s%n%x", true), ("a\u{0}b", true),
        ("12", false), ("100", false), ("0.999999", false), ("1.0000001", false),
    ]

    static let vocabulary = [
        "version", "name", "seed", "data", "source", "target", "task", "drop", "types", "path", "format", "delimiter", "na_values",
        "split", "test_size", "stratify", "shuffle", "preprocess", "impute", "drop_missing", "one_hot", "ordinal", "scale", "columns",
        "strategy", "fill_value", "axis", "threshold", "handle_unknown", "unknown_value", "categories", "method", "models", "type",
        "params", "grid", "search", "cv", "stratified", "scoring", "random", "metrics", "package", "formats", "encrypt", "sign",
        "key_env", "key_file", "C", "alpha", "max_iter", "tol", "n_estimators", "max_depth", "min_samples_leaf", "min_samples_split",
        "max_features", "bootstrap", "criterion", "learning_rate", "max_leaf_nodes", "max_bins", "early_stopping", "validation_fraction",
        "n_iter_no_change", "l2_regularization", "n_neighbors", "weights", "var_smoothing", "fit_intercept", "modles", "",
    ]

    var draw: Draw
    var mutations: [String] = []

    /// The mutated spec text for a seed spec (YAML or JSON, which is YAML).
    mutating func mutate(_ seed: String) -> Data {
        guard var tree = YAMLTree(yaml: seed) else { return Data(seed.utf8) }
        var text: String?
        let treeEdits = draw.int(0...3)
        for _ in 0..<treeEdits { editTree(&tree) }
        if treeEdits > 0 || draw.chance(0.3) { text = tree.yaml } else { text = seed }
        var bytes = Data(text!.utf8)
        if treeEdits == 0 || draw.chance(0.25) { editText(&bytes) }
        return bytes
    }

    private mutating func editTree(_ tree: inout YAMLTree) {
        let paths = tree.paths
        let path = draw.pick(paths)
        let node = tree[path[...]]
        switch draw.int(0...8) {
        case 0, 1:
            let (value, quoted) = draw.pick(Self.interestingScalars)
            tree[path[...]] = .scalar(value, quoted: quoted)
            mutations.append("value at \(path) := \(value.prefix(40))")
        case 2:
            guard let last = path.last else { return }
            let parent = Array(path.dropLast())
            switch tree[parent[...]] {
            case .map(var entries): entries.remove(at: last); tree[parent[...]] = .map(entries)
            case .list(var items): items.remove(at: last); tree[parent[...]] = .list(items)
            case .scalar: return
            }
            mutations.append("deleted \(path)")
        case 3:
            guard case .map(var entries) = node, let entry = entries.isEmpty ? nil : draw.pick(entries) else { return }
            entries.append(entry)
            tree[path[...]] = .map(entries)
            mutations.append("duplicated key '\(entry.key)' at \(path)")
        case 4:
            guard case .map(var entries) = node, !entries.isEmpty else { return }
            let index = draw.int(below: entries.count)
            let old = entries[index].key
            entries[index].key = draw.chance(0.5) ? typo(old) : draw.pick(Self.vocabulary)
            tree[path[...]] = .map(entries)
            mutations.append("renamed key '\(old)' to '\(entries[index].key)' at \(path)")
        case 5:
            guard case .map(var entries) = node else { return }
            let key = draw.pick(Self.vocabulary)
            let (value, quoted) = draw.pick(Self.interestingScalars)
            entries.append((key: key, value: .scalar(value, quoted: quoted)))
            tree[path[...]] = .map(entries)
            mutations.append("added '\(key)': \(value.prefix(40)) at \(path)")
        case 6:
            switch node {
            case .scalar: tree[path[...]] = .list([node])
            case .list: tree[path[...]] = .map([(key: "value", value: node)])
            case .map: tree[path[...]] = .list([node, node])
            }
            mutations.append("changed the shape at \(path)")
        case 7:
            let source = draw.pick(paths)
            tree[path[...]] = tree[source[...]]
            mutations.append("copied \(source) over \(path)")
        default:
            guard case .list(var items) = node, let item = items.isEmpty ? nil : draw.pick(items) else { return }
            for _ in 0..<draw.int(1...3) { items.append(item) }
            tree[path[...]] = .list(items)
            mutations.append("repeated an item of the list at \(path)")
        }
    }

    private mutating func typo(_ word: String) -> String {
        guard word.count > 1 else { return word + "x" }
        var characters = Array(word)
        switch draw.int(0...2) {
        case 0: characters.remove(at: draw.int(below: characters.count))
        case 1:
            let index = draw.int(below: characters.count - 1)
            characters.swapAt(index, index + 1)
        default: characters.insert(draw.pick(Array("aeiosx_")), at: draw.int(below: characters.count + 1))
        }
        return String(characters)
    }

    private mutating func editText(_ bytes: inout Data) {
        let choice = draw.int(0...(EncodingEdits.count + 4))
        if choice < EncodingEdits.count {
            let stray: [[UInt8]] = [[0x00], [0x01], [0x1B], [0x7F], [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], [0x09], [0x0D]]
            EncodingEdits.apply(choice, to: &bytes, draw: &draw, mutations: &mutations, strayBytes: stray) { $0 + "# café\n" }
            return
        }
        switch choice - EncodingEdits.count {
        case 0:
            // Exponential aliases ("billion laughs"), used by a real key.
            var lines = ["x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
            for level in 1...8 { lines.append("x\(level): &x\(level) [" + Array(repeating: "*x\(level - 1)", count: 9).joined(separator: ", ") + "]") }
            bytes = Data((lines.joined(separator: "\n") + "\n").utf8) + bytes + Data("\nname: *x8\n".utf8)
            mutations.append("exponential aliases")
        case 1:
            let depth = draw.pick([100, 1_000, 100_000])
            bytes += Data(("\nextra: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n").utf8)
            mutations.append("nesting \(depth) deep")
        case 2:
            var lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n")
            let index = draw.int(below: lines.count)
            lines[index] = "\t" + lines[index]
            bytes = Data(lines.joined(separator: "\n").utf8)
            mutations.append("tab before line \(index + 1)")
        case 3:
            bytes += Data("\nname: \(String(repeating: "y", count: 2_000_000))\n".utf8)
            mutations.append("a 2 MB scalar")
        default:
            guard !bytes.isEmpty else { return }
            let position = draw.int(below: bytes.count)
            let bit = UInt8(1) << UInt8(draw.int(0...7))
            bytes[bytes.startIndex + position] ^= bit
            mutations.append("flipped bit \(bit) of byte \(position)")
        }
    }
}
