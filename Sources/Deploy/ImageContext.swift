import Foundation

/// Gathers an offline image's files (`runner image-context`): the runner binary (stripped
/// when `strip` is installed), every shared library `ldd` lists for it at the same path,
/// CA certificates, an unprivileged user and the bundle, under `OUTPUT/rootfs/`. The
/// target's `Containerfile` copies that tree onto `scratch`.
public struct ImageContext: Sendable {
    public var binary: String
    public var bundle: String
    public var output: String
    public var runner: ProgramRunner

    /// The marker that tells a folder this command made (and may replace) from any other.
    static let marker = ".runner-image-context"
    static let certificateBundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]

    public init(binary: String, bundle: String, output: String, runner: ProgramRunner = ProgramRunner()) {
        self.binary = binary
        self.bundle = bundle
        self.output = output
        self.runner = runner
    }

    /// Writes the tree; returns the files copied (path inside the image, bytes).
    @discardableResult
    public func assemble() throws(DeployError) -> [(path: String, bytes: Int)] {
        let files = FileManager.default
        guard files.isReadableFile(atPath: binary) else { throw .file("cannot read the runner binary \(binary)") }
        guard files.isReadableFile(atPath: bundle) else { throw .file("cannot read the bundle \(bundle); run the experiment first (`runner run SPEC`)") }
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: output, isDirectory: &isFolder) {
            let contents = (try? files.contentsOfDirectory(atPath: output)) ?? []
            guard isFolder.boolValue, contents.isEmpty || contents.contains(Self.marker) else {
                throw .file("\(output) exists and was not made by `runner image-context`; name an empty or new folder")
            }
            try remove(output)
        }
        let root = output + "/rootfs"
        var copied: [(String, Int)] = []
        try makeFolder(root)
        try write(Data(), to: output + "/" + Self.marker, mode: 0o644)

        try copy(binary, to: root + ContainerImage.binaryPath, mode: 0o755)
        if let strip = runner.locate("strip") {
            let result = try runner.run([strip, "--strip-unneeded", root + ContainerImage.binaryPath], capture: true)
            if result.status != 0 { throw .commandFailed(command: "strip --strip-unneeded \(root + ContainerImage.binaryPath)", status: result.status) }
        }
        copied.append((ContainerImage.binaryPath, size(root + ContainerImage.binaryPath)))
        for library in try sharedLibraries() {
            try copy(library, to: root + library, mode: 0o755)
            copied.append((library, size(root + library)))
        }
        guard let certificates = Self.certificateBundles.first(where: { files.isReadableFile(atPath: $0) }) else {
            throw .file("no CA certificate bundle found (\(Self.certificateBundles.joined(separator: ", "))); install the ca-certificates package")
        }
        try copy(certificates, to: root + "/etc/ssl/certs/ca-certificates.crt", mode: 0o644)
        try write(Data("root:x:0:0:root:/root:/sbin/nologin\nrunner:x:65532:65532:runner:/nonexistent:/sbin/nologin\n".utf8), to: root + "/etc/passwd", mode: 0o644)
        try write(Data("root:x:0:\nrunner:x:65532:\n".utf8), to: root + "/etc/group", mode: 0o644)
        try makeFolder(root + "/tmp", mode: 0o1777)
        try copy(bundle, to: root + ContainerImage.bundlePath, mode: 0o644)
        copied.append((ContainerImage.bundlePath, size(root + ContainerImage.bundlePath)))
        return copied
    }

    /// The libraries `ldd` resolves for the binary, and the dynamic loader; none for a static one.
    func sharedLibraries() throws(DeployError) -> [String] {
        guard let ldd = runner.locate("ldd") else { throw .toolMissing(tool: "ldd", package: "libc-bin (glibc's ldd)") }
        let result = try runner.run([ldd, binary], capture: true)
        let text = result.output
        if text.contains("not a dynamic executable") || text.contains("statically linked") { return [] }
        guard result.status == 0 else { throw .commandFailed(command: "ldd \(binary)", status: result.status) }
        var libraries: [String] = []
        for line in text.split(separator: "\n") {
            if line.contains("=> not found") {
                throw .file("the runner binary needs a library this machine lacks: \(line.trimmingCharacters(in: .whitespaces))")
            }
            // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
            let words = line.split(separator: " ").map { $0.trimmingCharacters(in: .whitespaces) }
            let path = words.first { $0.hasPrefix("/") }
            if let path, !libraries.contains(path) { libraries.append(path) }
        }
        return libraries
    }

    private func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    private func makeFolder(_ path: String, mode: Int = 0o755) throws(DeployError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        } catch { throw .file("cannot create \(path): \(error.localizedDescription)") }
    }

    /// Copies the file's bytes (following links: the image gets the file, not the link).
    private func copy(_ source: String, to destination: String, mode: Int) throws(DeployError) {
        guard let data = FileManager.default.contents(atPath: source) else { throw .file("cannot read \(source)") }
        try makeFolder((destination as NSString).deletingLastPathComponent)
        try write(data, to: destination, mode: mode)
    }

    private func write(_ data: Data, to path: String, mode: Int) throws(DeployError) {
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: mode]) else {
            throw .file("cannot write \(path)")
        }
    }

    private func remove(_ path: String) throws(DeployError) {
        do { try FileManager.default.removeItem(atPath: path) } catch { throw .file("cannot replace \(path): \(error.localizedDescription)") }
    }
}
