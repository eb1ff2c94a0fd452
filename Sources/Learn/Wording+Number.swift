import Foundation

extension Wording {
    /// A measured value for people: `digits` significant digits ("0.8125", "0.03162",
    /// "1.2e-05"), integers as integers.
    public static func number(_ value: Double, digits: Int = 4) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded(), abs(value) < 1e9 { return String(Int64(value)) }
        return String(format: "%.\(digits)g", value)
    }
}
