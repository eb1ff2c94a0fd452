import Foundation

/// Which logged rows a check looks at: the newest N, or those of the last span of time.
public enum MonitorWindow: Sendable, Equatable {
    case rows(Int)
    case seconds(Double)

    /// "1000" (rows), "30m", "24h", "7d", "90s".
    public init(parsing text: String) throws(MonitorError) {
        if let count = Int(text), count > 0 {
            self = .rows(count)
            return
        }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = text.last, let scale = units[unit], let amount = Double(text.dropLast()), amount > 0, amount.isFinite {
            self = .seconds(amount * scale)
            return
        }
        throw .usage("--window must be a row count (1000) or a duration (90s, 30m, 24h, 7d), found '\(text)'")
    }
}
