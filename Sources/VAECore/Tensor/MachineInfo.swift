import CKernels
import Foundation

/// What the core runs on: the CPU, its vector features, and the kernels chosen for it.
public struct MachineInfo: Sendable, Codable {
    /// The CPU's model name from /proc/cpuinfo.
    public var cpuModel: String
    /// Logical CPUs available.
    public var cpuCount: Int
    /// Vector features relevant to the kernels, as named in /proc/cpuinfo.
    public var cpuFeatures: [String]
    /// The variant of the element-wise kernels in use: "avx512", "avx2" or "baseline".
    public var elementwiseKernels: String
    /// The BLAS library and its kernel set.
    public var blas: BLAS.Description

    /// Reads the machine's description; loads BLAS if it is not loaded yet.
    public static func current() -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String? {
            cpuinfo.split(separator: "\n").first { $0.hasPrefix(name) }
                .flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        let interesting = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl",
                           "avx512_bf16", "avx512_vnni"]
        return MachineInfo(
            cpuModel: field("model name") ?? "unknown",
            cpuCount: ProcessInfo.processInfo.activeProcessorCount,
            cpuFeatures: interesting.filter(flags.contains),
            elementwiseKernels: String(cString: lk_kernel_variant()),
            blas: BLAS.description)
    }
}
