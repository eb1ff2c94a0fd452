/// Lines of a text with every YAML line break (LF, CRLF, CR alone), addressed 1-based by
/// line and Unicode scalar column, as the YAML parser counts them.
struct TextLines {
    let scalars: [Unicode.Scalar]
    /// Offset (in scalars) where each line starts.
    private(set) var starts: [Int] = [0]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\r" {
                if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                starts.append(index + 1)
            } else if scalars[index] == "\n" {
                starts.append(index + 1)
            }
            index += 1
        }
    }

    var count: Int { starts.count }

    func isBreak(at offset: Int) -> Bool { scalars[offset] == "\n" || scalars[offset] == "\r" }

    /// The text of a line (1-based) without its line break.
    func line(_ number: Int) -> String.UnicodeScalarView {
        let start = starts[number - 1]
        var end = number < starts.count ? starts[number] : scalars.count
        while end > start, isBreak(at: end - 1) { end -= 1 }
        return String.UnicodeScalarView(scalars[start..<end])
    }

    func offset(of location: SourceLocation) -> Int? {
        guard location.line >= 1, location.line <= starts.count else { return nil }
        let offset = starts[location.line - 1] + location.column - 1
        return offset < scalars.count ? offset : nil
    }

    func location(of offset: Int) -> SourceLocation {
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return SourceLocation(line: low + 1, column: offset - starts[low] + 1)
    }

    /// The location of an offset in Characters (how Yams reports reader problems; a CRLF
    /// pair is one Character).
    func location(ofCharacterOffset offset: Int, in text: String) -> SourceLocation {
        let index = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) ?? text.endIndex
        return location(of: text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: index))
    }
}
