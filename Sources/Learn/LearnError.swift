/// Why fitting, transforming or scoring could not go on. Messages name the column, class or
/// parameter at fault and say what to change in the spec.
public struct LearnError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
