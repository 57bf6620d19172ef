// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "latent",
    products: [
        .executable(name: "latent", targets: ["latent"]),
        .library(name: "VAECore", targets: ["VAECore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: Core: the VAE engine every front end shares (no terminal code)
        .target(
            name: "VAECore",
            dependencies: ["CBLAS", "CZlib", "CPNG", "CPNGReader", "CJPEGReader", "CJPEGWriter", "CKernels", "CPosix"]
        ),

        // MARK: UI: the terminal front end (the only code that knows about terminals)
        .target(
            name: "TerminalUI",
            dependencies: ["VAECore", "CNCurses"]
        ),

        // MARK: Tool: the `latent` command line (wiring only)
        .executableTarget(
            name: "latent",
            dependencies: [
                "VAECore",
                "TerminalUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: C: system libraries from Debian's -dev packages, and our own vector kernels
        .systemLibrary(
            name: "CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CNCurses",
            providers: [.apt(["libncurses-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CJPEG",
            providers: [.apt(["libjpeg62-turbo-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CPosix"),
        // libpng's full read API, whose longjmp errors need a setjmp in C (CPNG keeps the
        // simplified API for writing, and links libpng for both).
        .target(
            name: "CPNGReader",
            dependencies: ["CPNG"]
        ),
        // libjpeg's decoder, whose errors longjmp too: a setjmp in C, a code and a message out.
        // A module map's link line reaches only Swift code that imports it, so this C target
        // names the library itself.
        .target(
            name: "CJPEGReader",
            dependencies: ["CJPEG"],
            linkerSettings: [.linkedLibrary("jpeg")]
        ),
        // libjpeg's encoder, for pictures saved as .jpg: the same setjmp in C.
        .target(
            name: "CJPEGWriter",
            dependencies: ["CJPEG"],
            linkerSettings: [.linkedLibrary("jpeg")]
        ),
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]
        ),

        // MARK: Tests: one target per source target, and JPEG files both core and binary tests make
        .target(
            name: "JPEGTestSupport",
            path: "Tests/JPEGTestSupport"
        ),
        .testTarget(
            name: "VAECoreTests",
            dependencies: ["VAECore", "CKernels", "JPEGTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TerminalUITests",
            dependencies: ["TerminalUI"],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "latentTests",
            dependencies: ["VAECore", "CPosix", "JPEGTestSupport"]
        ),
    ]
)
