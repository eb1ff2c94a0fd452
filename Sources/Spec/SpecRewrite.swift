import Foundation
import Learn
import Yams

/// A derived spec for retraining: the original with another data file, no deploy targets,
/// key files made absolute (the derived spec lives elsewhere) and, optionally, grids widened
/// where the winner sat on an edge.
public enum SpecRewrite {
    public struct Derived: Sendable {
        public var text: String
        /// "model.param: [old] + new" for each widened grid.
        public var widened: [String]
    }

    /// `specPath`'s spec with `dataPath` as its data source. `winner` (the deployed model's
    /// name and parameter values) widens each numeric grid whose edge the winner chose.
    public static func retraining(specPath: String, dataPath: String, winner: (model: String, params: [String: String])?) throws -> Derived {
        let text = try String(contentsOfFile: specPath, encoding: .utf8)
        guard var root = try Yams.compose(yaml: text), case .mapping(var top) = root else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: specPath])
        }
        let base = (specPath as NSString).deletingLastPathComponent
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : ((base.isEmpty ? FileManager.default.currentDirectoryPath : (base.hasPrefix("/") ? base : FileManager.default.currentDirectoryPath + "/" + base)) as NSString).appendingPathComponent(path)
        }
        if case .mapping(var data)? = top["data"] {
            if case .mapping(var source)? = data["source"] {
                // The file runner wrote: CSV, comma separated, missing values empty.
                source["path"] = Node(dataPath)
                source["format"] = Node("csv")
                source["delimiter"] = nil
                data["source"] = .mapping(source)
            } else {
                data["source"] = Node(dataPath)
            }
            top["data"] = .mapping(data)
        }
        top["deploy"] = nil
        if case .mapping(var package)? = top["package"] {
            for section in ["encrypt", "sign"] {
                if case .mapping(var keys)? = package[section], let file = keys["key_file"]?.string {
                    keys["key_file"] = Node(absolute(file))
                    package[section] = .mapping(keys)
                }
            }
            top["package"] = .mapping(package)
        }
        var widened: [String] = []
        if let winner, case .sequence(var models)? = top["models"] {
            for index in models.indices {
                guard case .mapping(var model) = models[index], model["name"]?.string == winner.model, case .mapping(var grid)? = model["grid"] else { continue }
                for (keyNode, valueNode) in grid {
                    guard let key = keyNode.string, let chosen = winner.params[key].flatMap(Double.init), case .sequence(let values) = valueNode,
                          let extended = widen(values.compactMap { $0.float ?? $0.int.map(Double.init) }, chosen: chosen),
                          values.count == values.compactMap({ $0.float ?? $0.int.map(Double.init) }).count else { continue }
                    let allIntegers = values.allSatisfy { $0.int != nil }
                    let node = allIntegers ? Node(String(Int(extended))) : Node(formatted(extended))
                    var items = Array(values)
                    if extended > (values.compactMap { $0.float ?? $0.int.map(Double.init) }.max() ?? 0) { items.append(node) } else { items.insert(node, at: 0) }
                    grid[keyNode] = .sequence(Node.Sequence(items, valueNode.tag, .flow))
                    widened.append("\(winner.model).\(key): + \(allIntegers ? String(Int(extended)) : formatted(extended))")
                }
                model["grid"] = .mapping(grid)
                models[index] = .mapping(model)
            }
            top["models"] = .sequence(models)
        }
        root = .mapping(top)
        return Derived(text: try Yams.serialize(node: root), widened: widened)
    }

    /// The next value past the edge `chosen` sits on: the same ratio as the last step for a
    /// positive, geometric-looking grid (C: 0.1, 1, 10 → 100), else the same difference.
    static func widen(_ values: [Double], chosen: Double) -> Double? {
        let sorted = Array(Set(values)).sorted()
        guard sorted.count >= 2 else { return nil }
        if chosen == sorted.last {
            let previous = sorted[sorted.count - 2], last = sorted[sorted.count - 1]
            return previous > 0 && last / previous >= 2 ? last * (last / previous) : last + (last - previous)
        }
        if chosen == sorted.first {
            let first = sorted[0], next = sorted[1]
            if first > 0 && next / first >= 2 { return first / (next / first) }
            let candidate = first - (next - first)
            return first > 0 && candidate <= 0 ? nil : candidate
        }
        return nil
    }

    private static func formatted(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : "\(value)"
    }
}
