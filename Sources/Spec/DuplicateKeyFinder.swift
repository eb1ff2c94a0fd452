/// Finds where a mapping key appears the second time. The YAML parser reports a duplicate
/// key at its first occurrence; the user needs the line that repeats it.
enum DuplicateKeyFinder {
    /// The position of the next occurrence of `key` in the same mapping as the one at
    /// `first` (1-based line and column), or nil when the text does not show it plainly.
    static func repeated(_ key: String, after first: SourceLocation, in text: String) -> SourceLocation? {
        let lines = TextLines(text)
        guard let firstOffset = lines.offset(of: first) else { return nil }
        let scalars = lines.scalars
        // In a flow mapping ({a: 1, a: 2}) the key follows '{' or ','.
        var before = firstOffset - 1
        while before >= 0, scalars[before] == " " || scalars[before] == "\t" || lines.isBreak(at: before) { before -= 1 }
        if before >= 0, scalars[before] == "{" || scalars[before] == "," {
            return repeatedInFlow(key, from: firstOffset, lines: lines)
        }
        return repeatedInBlock(key, first: first, lines: lines)
    }

    /// Block style: a later line at the same indentation starting with the key; the mapping
    /// ends at the first non-blank, non-comment line indented less.
    private static func repeatedInBlock(_ key: String, first: SourceLocation, lines: TextLines) -> SourceLocation? {
        let indent = first.column - 1
        for line in (first.line + 1)..<(lines.count + 1) {
            let content = lines.line(line)
            let leading = content.prefix { $0 == " " }.count
            let rest = content.dropFirst(leading)
            if rest.isEmpty || rest.first == "#" { continue }
            if leading < indent { return nil }
            if leading == indent, startsWithKey(key, Substring(String(String.UnicodeScalarView(rest)))) {
                return SourceLocation(line: line, column: first.column)
            }
        }
        return nil
    }

    /// Flow style: scan forward at the same nesting depth for `, key:`.
    private static func repeatedInFlow(_ key: String, from start: Int, lines: TextLines) -> SourceLocation? {
        let scalars = lines.scalars
        var depth = 0, index = start
        var quote: Unicode.Scalar?
        while index < scalars.count {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == open { quote = nil }
            } else {
                switch scalar {
                case "\"", "'": quote = scalar
                case "{", "[": depth += 1
                case "}", "]":
                    depth -= 1
                    if depth < 0 { return nil }
                case "," where depth == 0:
                    var next = index + 1
                    while next < scalars.count, scalars[next] == " " || scalars[next] == "\t" || lines.isBreak(at: next) { next += 1 }
                    let rest = String(String.UnicodeScalarView(scalars[next...].prefix(key.unicodeScalars.count + 64)))
                    if startsWithKey(key, Substring(rest)) { return lines.location(of: next) }
                default: break
                }
            }
            index += 1
        }
        return nil
    }

    /// `key:` plain, or the key single- or double-quoted, followed by optional blanks and ':'.
    private static func startsWithKey(_ key: String, _ text: Substring) -> Bool {
        for form in [key, "\"\(key)\"", "'\(key)'"] where text.hasPrefix(form) {
            let after = text.dropFirst(form.count).drop { $0 == " " || $0 == "\t" }
            if after.first == ":" { return true }
        }
        return false
    }
}
