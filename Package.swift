// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "runner",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "runner", targets: ["RunnerCLI"]),
        .library(name: "Tabular", targets: ["Tabular"]),
        .library(name: "Learn", targets: ["Learn"]),
        .library(name: "Spec", targets: ["Spec"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Packaging", targets: ["Packaging"]),
        .library(name: "Serve", targets: ["Serve"]),
        .library(name: "Deploy", targets: ["Deploy"]),
        .library(name: "Monitor", targets: ["Monitor"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "DatabaseSources", targets: ["DatabaseSources"]),
        .library(name: "RemoteStorage", targets: ["RemoteStorage"]),
        .library(name: "Pipelines", targets: ["Pipelines"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(name: "Tabular"),
        .target(name: "Learn", dependencies: ["Tabular"]),
        .target(name: "DatabaseSources", dependencies: [
            "Tabular",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Object storage for remote stores: S3 request signing (Signature Version 4).
        .target(name: "RemoteStorage", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "Spec", dependencies: ["Tabular", "Learn", "DatabaseSources", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "Packaging",
            dependencies: [
                "Tabular", "Learn",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            // The official ONNX schema the committed onnx-ml.pb.swift was generated from
            // (scripts/generate-onnx-swift).
            exclude: ["ONNX/onnx-ml.proto"]
        ),
        // Deployment plans (files and CLI steps) for the spec's deploy targets; the engine
        // plans them as stages, the CLI applies them.
        // Drift statistics, reference profiles, drift reports and the alerting wiring for them.
        .target(name: "Monitor", dependencies: ["Tabular", "Learn", "Packaging"]),
        .target(name: "Deploy", dependencies: ["Spec", "Tabular", "Monitor"]),
        .target(name: "Engine", dependencies: [
            "Tabular", "Learn", "Spec", "Packaging", "Deploy", "Monitor", "DatabaseSources", "RemoteStorage",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .target(name: "Serve", dependencies: [
            "Tabular", "Learn", "Packaging", "Monitor",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Pipelines", dependencies: ["Spec", "Engine", "Deploy", "Tabular", .product(name: "Yams", package: "Yams")]),
        .target(name: "Report", dependencies: ["Engine", "Spec", "Learn", "Tabular", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "RunnerCLI",
            dependencies: [
                "Tabular", "Learn", "Spec", "Engine", "Packaging", "Serve", "Deploy", "Monitor", "Report", "DatabaseSources", "RemoteStorage", "Pipelines",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // Release links keep deploy images small: the binary exports no symbols (nothing
            // loads it as a library; 5 MB of dynamic symbol tables), and lld packs its
            // relative relocations (DT_RELR, glibc 2.36+: 4 MB less, still position-independent).
            linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "--no-export-dynamic", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                                          .when(platforms: [.linux], configuration: .release))]
        ),
        .target(name: "FuzzKit", dependencies: [
            "Tabular", "Learn", "Packaging",
            .product(name: "Yams", package: "Yams"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .executableTarget(name: "runner-fuzz", dependencies: ["FuzzKit"], path: "Tools/Fuzz"),
        .executableTarget(name: "csv-bench", dependencies: ["Tabular"], path: "Benchmarks/CSVBench"),
        .executableTarget(name: "parity", dependencies: ["Learn", "Tabular"], path: "Benchmarks/Parity"),
        .executableTarget(name: "bundle-bench", dependencies: ["Packaging", "Learn", "Tabular"], path: "Benchmarks/BundleBench"),
        .executableTarget(name: "engine-bench", dependencies: ["Engine", "Packaging", "Spec", "Learn", "Tabular"], path: "Benchmarks/EngineBench"),
        .executableTarget(name: "tree-bench", dependencies: ["Learn", "Tabular"], path: "Benchmarks/TreeBench"),
        .executableTarget(name: "database-bench", dependencies: ["DatabaseSources", "Tabular"], path: "Benchmarks/DatabaseBench"),
        .testTarget(name: "TabularTests", dependencies: ["Tabular"], exclude: ["Fixtures"]),
        .testTarget(name: "LearnTests", dependencies: ["Learn", "Tabular"], exclude: ["Fixtures"]),
        .testTarget(name: "SpecTests", dependencies: ["Spec", "Learn", "Tabular"], exclude: ["Fixtures"]),
        .testTarget(name: "PackagingTests", dependencies: ["Packaging", "Learn", "Tabular"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Packaging", "Spec", "Learn", "Tabular"]),
        // The PostgreSQL server the database tests share (scripts/postgres-test-server).
        .target(name: "TestDatabases", dependencies: ["DatabaseSources", "Tabular"], path: "Tests/Support/TestDatabases"),
        .testTarget(name: "RunnerCLITests", dependencies: ["RunnerCLI", "Packaging", "Learn", "FuzzKit", "TestDatabases", "DatabaseSources", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(name: "DeployTests", dependencies: ["Deploy", "Spec", "Monitor", "Tabular"]),
        .testTarget(name: "DatabaseSourcesTests", dependencies: ["DatabaseSources", "Tabular", "TestDatabases", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "RemoteStorageTests", dependencies: ["RemoteStorage", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "PipelinesTests", dependencies: ["Pipelines", "Spec", "Deploy", .product(name: "Yams", package: "Yams")], exclude: ["Fixtures"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Engine", "Spec", "Learn", "Tabular"]),
        .testTarget(name: "MonitorTests", dependencies: ["Monitor", "Packaging", "Learn", "Tabular"]),
        .testTarget(name: "ServeTests", dependencies: [
            "Serve", "Packaging", "Learn", "Tabular", "Monitor",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
