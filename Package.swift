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
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        .target(name: "Tabular"),
        .target(name: "Learn", dependencies: ["Tabular"]),
        .target(name: "Spec", dependencies: ["Tabular", "Learn", .product(name: "Yams", package: "Yams")]),
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
        .target(name: "Engine", dependencies: [
            "Tabular", "Learn", "Spec", "Packaging",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .executableTarget(
            name: "RunnerCLI",
            dependencies: [
                "Tabular", "Learn", "Spec", "Engine", "Packaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "FuzzKit", dependencies: [
            "Learn", "Packaging",
            .product(name: "Yams", package: "Yams"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .executableTarget(name: "runner-fuzz", dependencies: ["FuzzKit"], path: "Tools/Fuzz"),
        .executableTarget(name: "csv-bench", dependencies: ["Tabular"], path: "Benchmarks/CSVBench"),
        .executableTarget(name: "parity", dependencies: ["Learn", "Tabular"], path: "Benchmarks/Parity"),
        .executableTarget(name: "bundle-bench", dependencies: ["Packaging", "Learn", "Tabular"], path: "Benchmarks/BundleBench"),
        .executableTarget(name: "engine-bench", dependencies: ["Engine", "Packaging", "Spec", "Learn", "Tabular"], path: "Benchmarks/EngineBench"),
        .executableTarget(name: "tree-bench", dependencies: ["Learn", "Tabular"], path: "Benchmarks/TreeBench"),
        .testTarget(name: "TabularTests", dependencies: ["Tabular"], exclude: ["Fixtures"]),
        .testTarget(name: "LearnTests", dependencies: ["Learn", "Tabular"], exclude: ["Fixtures"]),
        .testTarget(name: "SpecTests", dependencies: ["Spec", "Learn", "Tabular"], exclude: ["Fixtures"]),
        .testTarget(name: "PackagingTests", dependencies: ["Packaging", "Learn", "Tabular"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Packaging", "Spec", "Learn", "Tabular"]),
        .testTarget(name: "RunnerCLITests", dependencies: ["RunnerCLI", "Packaging", "Learn", "FuzzKit"]),
    ],
    swiftLanguageModes: [.v6]
)
