import CBLAS
import CKernels
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The BLAS library behind every matrix product: OpenBLAS, loaded at first use.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent AMD and Intel CPUs and falls back to its
/// slow `Prescott` kernels. OpenBLAS reads `OPENBLAS_CORETYPE` only while it initialises, so the
/// library is loaded with `dlopen` after choosing the kernel set (see `chooseCoreType`):
/// `SkylakeX` when the CPU has AVX-512, `Haswell` with AVX2 and FMA, OpenBLAS's own choice
/// otherwise; `LATENT_BLAS_CORETYPE` forces one.
public enum BLAS {
    /// What was loaded and how it is configured, for `latent info`.
    public struct Description: Sendable, Codable, Equatable {
        /// Path or soname of the library that was opened.
        public var library: String
        /// The kernel set OpenBLAS runs (`openblas_get_corename`), e.g. "SkylakeX".
        public var coreName: String
        /// OpenBLAS's build configuration string.
        public var config: String
        /// Threads OpenBLAS uses for one product.
        public var threads: Int
        /// How the kernel set was chosen: "environment", "chosen by latent (AVX-512)", ...
        public var coreTypeSource: String
    }

    /// Errors loading the library.
    public struct LoadError: Error, LocalizedError, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public var errorDescription: String? { message }
    }

    private struct Library: @unchecked Sendable {
        let sgemm: latent_sgemm_fn
        let setThreads: latent_set_num_threads_fn?
        let getThreads: latent_get_num_threads_fn?
        let coreName: latent_get_corename_fn?
        let config: latent_get_config_fn?
        let path: String
        let coreTypeSource: String
    }

    private static let candidates = ["libopenblas.so.0", "libopenblas.so", "libblas.so.3"]

    private static let loaded: Result<Library, LoadError> = load()

    /// OpenBLAS kernel sets that use AVX-512.
    private static let avx512CoreTypes: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// Chooses OPENBLAS_CORETYPE before the library loads; returns how it was chosen.
    ///
    /// `LATENT_BLAS_CORETYPE` forces a kernel set. Otherwise an AVX-512 CPU gets `SkylakeX`
    /// unless OPENBLAS_CORETYPE already names an AVX-512 set (a machine-wide `Haswell`, set to
    /// avoid the `Prescott` fallback, would halve the speed of every product); an AVX2 CPU gets
    /// `Haswell` unless OPENBLAS_CORETYPE is set; other CPUs keep OpenBLAS's own choice.
    private static func chooseCoreType() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let forced = environment["LATENT_BLAS_CORETYPE"], !forced.isEmpty {
            setenv("OPENBLAS_CORETYPE", forced, 1)
            return "forced by LATENT_BLAS_CORETYPE"
        }
        let preset = environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        if lk_cpu_has_avx512() != 0 {
            if let preset, avx512CoreTypes.contains(preset.lowercased()) {
                return "OPENBLAS_CORETYPE=\(preset) from the environment"
            }
            setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
            return "chosen by latent for AVX-512"
                + (preset.map { ", replacing OPENBLAS_CORETYPE=\($0); LATENT_BLAS_CORETYPE forces a set" } ?? "")
        }
        if let preset { return "OPENBLAS_CORETYPE=\(preset) from the environment" }
        if lk_cpu_has_avx2() != 0 {
            setenv("OPENBLAS_CORETYPE", "Haswell", 1)
            return "chosen by latent for AVX2 and FMA"
        }
        return "OpenBLAS's own choice"
    }

    private static func load() -> Result<Library, LoadError> {
        let source = chooseCoreType()
        for name in candidates {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL) else { continue }
            guard let sgemm = dlsym(handle, "cblas_sgemm") else { continue }
            func symbol<T>(_ name: String, as type: T.Type) -> T? {
                dlsym(handle, name).map { unsafeBitCast($0, to: type) }
            }
            return .success(Library(
                sgemm: unsafeBitCast(sgemm, to: latent_sgemm_fn.self),
                setThreads: symbol("openblas_set_num_threads", as: latent_set_num_threads_fn.self),
                getThreads: symbol("openblas_get_num_threads", as: latent_get_num_threads_fn.self),
                coreName: symbol("openblas_get_corename", as: latent_get_corename_fn.self),
                config: symbol("openblas_get_config", as: latent_get_config_fn.self),
                path: name,
                coreTypeSource: source))
        }
        return .failure(LoadError(message:
            "OpenBLAS not found (tried \(candidates.joined(separator: ", "))): install it with `apt-get install libopenblas-dev`"))
    }

    private static var library: Library {
        switch loaded {
        case .success(let library): return library
        case .failure(let error): fatalError(error.message)
        }
    }

    /// Loads the library now, or says why it cannot be loaded.
    public static func ensureLoaded() throws {
        if case .failure(let error) = loaded { throw error }
    }

    /// Sets the number of threads OpenBLAS uses for one product.
    public static func setThreads(_ count: Int) {
        precondition(count >= 1, "thread count must be at least 1, got \(count)")
        library.setThreads?(Int32(count))
    }

    /// Threads OpenBLAS uses for one product.
    public static var threads: Int {
        Int(library.getThreads?() ?? 1)
    }

    /// The library, its kernel set and thread count.
    public static var description: Description {
        let lib = library
        return Description(
            library: lib.path,
            coreName: lib.coreName.flatMap { $0().map { String(cString: $0) } } ?? "unknown",
            config: lib.config.flatMap { $0().map { String(cString: $0) } }?
                .trimmingCharacters(in: .whitespaces) ?? "unknown",
            threads: threads,
            coreTypeSource: lib.coreTypeSource)
    }

    /// C = alpha * op(A) * op(B) + beta * C, row-major; op is a transpose when the flag is set.
    ///
    /// A is m x k after op, B is k x n after op, C is m x n; `lda`, `ldb`, `ldc` are row strides.
    @inline(__always)
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        library.sgemm(CblasRowMajor,
                      transposeA ? CblasTrans : CblasNoTrans,
                      transposeB ? CblasTrans : CblasNoTrans,
                      blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda),
                      b, blasint(ldb), beta, c, blasint(ldc))
    }
}
