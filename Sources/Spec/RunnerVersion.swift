/// The runner's version, recorded in every artifact it writes.
public enum RunnerVersion {
    public static let current = "0.1.0"
}
