import ArgumentParser
import Foundation
import VAECore

/// `latent info`: version, BLAS library and kernel set, threads, CPU features.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the version, the BLAS library and kernels in use, threads and CPU features.",
        discussion: """
            Example:
              latent info
              latent info --json --threads 2
            """)

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try compute.apply()
        let info = MachineInfo.current()
        if json {
            struct Report: Encodable { let version: String; let machine: MachineInfo }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(Report(version: Latent.version, machine: info)), as: UTF8.self))
            return
        }
        print("""
            latent \(Latent.version)
            cpu:       \(info.cpuModel), \(info.cpuCount) logical CPUs
            features:  \(info.cpuFeatures.joined(separator: " "))
            blas:      \(info.blas.library), kernels \(info.blas.coreName) (\(info.blas.coreTypeSource))
            threads:   \(info.blas.threads)
            config:    \(info.blas.config)
            elementwise kernels: \(info.elementwiseKernels)
            """)
    }
}
