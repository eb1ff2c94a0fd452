/// Reads a data file in whichever format its options or extension name.
public enum TableReader {
    public static func read(path: String, options: ReadOptions = ReadOptions()) throws(DataError) -> Table {
        switch options.format ?? DataFormat.inferred(fromPath: path) {
        case .csv: return try CSVReader.read(path: path, options: options)
        case .jsonl: return try JSONLinesReader.read(path: path, options: options)
        }
    }
}
