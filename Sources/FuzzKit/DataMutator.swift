import Foundation

/// Data mutants: field values (infinities, quotes, huge fields), row shapes, headers,
/// encodings and line ends of a CSV or JSON Lines file.
struct DataMutator {
    static let interestingFields = [
        "", "NA", "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-400", "1e308", "-1e308", "0x10", "1,5", "\"quoted, comma\"",
        "\"unterminated", "a\"b", "\"\"", "🐧", "é", "true", "FALSE", "99999999999999999999999", "-0", "0", " 7 ", "1e", ".", "-",
        "Adelie", "Gentoo", "Chinstrap", "Dream", "male", "null",
    ]
    static let interestingJSON = [
        "null", "1e400", "-1e400", "NaN", "Infinity", "\"inf\"", "\"\"", "[1, 2]", "{\"a\": 1}", "true", "1.5e308", "\"Adelie\"", "01", "-",
        "1e", "\"\\ud800\"", "\"a\\u0000b\"", "99999999999999999999999",
    ]

    var draw: Draw
    var mutations: [String] = []

    mutating func mutate(_ seed: Data, jsonLines: Bool) -> Data {
        var lines = String(decoding: seed, as: UTF8.self).components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        for _ in 0..<draw.int(1...3) {
            if jsonLines { editJSONLine(&lines) } else { editCSV(&lines) }
        }
        var bytes = Data((lines.joined(separator: "\n") + "\n").utf8)
        if draw.chance(0.3) { editBytes(&bytes) }
        return bytes
    }

    private mutating func editCSV(_ lines: inout [String]) {
        if lines.isEmpty { lines = [""] }
        let row = draw.int(below: lines.count)
        var fields = lines[row].components(separatedBy: ",")
        switch draw.int(0...9) {
        case 0, 1, 2:
            let column = draw.int(below: fields.count)
            let value = draw.pick(Self.interestingFields)
            fields[column] = value
            mutations.append("line \(row + 1) field \(column + 1) := \(value)")
        case 3:
            if draw.chance(0.5), fields.count > 1 { fields.remove(at: draw.int(below: fields.count)) } else { fields.append("extra") }
            mutations.append("line \(row + 1) has \(fields.count) fields")
        case 4:
            let count = draw.int(1...50)
            lines.insert(contentsOf: Array(repeating: lines[row], count: count), at: row)
            mutations.append("line \(row + 1) repeated \(count) times")
            return
        case 5:
            let keep = draw.int(0...min(3, lines.count))
            lines = Array(lines.prefix(keep))
            mutations.append("only the first \(keep) lines")
            return
        case 6:
            var header = lines[0].components(separatedBy: ",")
            let column = draw.int(below: header.count)
            header[column] = draw.pick(["", header[(column + 1) % header.count], "species", "a b", "\"q,uoted\"", "é"])
            lines[0] = header.joined(separator: ",")
            mutations.append("header field \(column + 1) := '\(header[column])'")
            return
        case 7:
            fields[draw.int(below: fields.count)] = String(repeating: draw.chance(0.5) ? "9" : "x", count: draw.pick([1_000, 100_000, 3_000_000]))
            mutations.append("a huge field in line \(row + 1)")
        case 8:
            let wide = draw.pick([100, 5_000])
            lines = lines.enumerated().map { index, line in line + String(repeating: index == 0 ? ",c" : ",1", count: 1) + (index == 0 ? (0..<wide).map { ",w\($0)" }.joined() : String(repeating: ",0.5", count: wide)) }
            mutations.append("\(wide) more columns")
            return
        default:
            lines[row] = lines[row].replacingOccurrences(of: ",", with: draw.pick([";", "\t", ",,", "\",\""]))
            mutations.append("delimiters changed in line \(row + 1)")
            return
        }
        lines[row] = fields.joined(separator: ",")
    }

    private mutating func editJSONLine(_ lines: inout [String]) {
        if lines.isEmpty { lines = [""] }
        let row = draw.int(below: lines.count)
        switch draw.int(0...5) {
        case 0, 1, 2:
            // Replace one value: the text after a key's colon up to the next comma or brace.
            let line = lines[row]
            let colons = line.indices.filter { line[$0] == ":" }
            guard let colon = colons.isEmpty ? nil : draw.pick(colons) else { return }
            let start = line.index(after: colon)
            let end = line[start...].firstIndex { $0 == "," || $0 == "}" } ?? line.endIndex
            let value = draw.pick(Self.interestingJSON)
            lines[row] = String(line[..<start]) + " " + value + String(line[end...])
            mutations.append("line \(row + 1): a value := \(value)")
        case 3:
            lines[row] = draw.pick(["", "[]", "{}", "{\"species\": \"Adelie\"}", "null", "{\"a\": 1} {\"b\": 2}", String(lines[row].dropLast())])
            mutations.append("line \(row + 1) := '\(lines[row])'")
        case 4:
            lines[row] = lines[row].replacingOccurrences(of: "{", with: "{\"species\": \"Gentoo\", ")
            mutations.append("line \(row + 1) has a duplicate key")
        default:
            let count = draw.int(1...50)
            lines.insert(contentsOf: Array(repeating: lines[row], count: count), at: row)
            mutations.append("line \(row + 1) repeated \(count) times")
        }
    }

    private mutating func editBytes(_ bytes: inout Data) {
        EncodingEdits.apply(draw.int(below: EncodingEdits.count), to: &bytes, draw: &draw, mutations: &mutations,
                            strayBytes: [[0x00], [0xFF], [0xC3], [0x0D], [0x22], [0xEF, 0xBB, 0xBF]]) {
            $0.replacingOccurrences(of: "Torgersen", with: "Törgersen")
        }
    }
}
