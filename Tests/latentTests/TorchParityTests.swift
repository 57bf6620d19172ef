import Foundation
import XCTest
@testable import VAECore

/// The Python companion's PyTorch, where `make deps` puts it: a virtual environment under
/// .build that sees Debian's python3-torch and adds the safetensors library.
enum CompanionPython {
    /// The repository's root, from the test bundle's place in .build/<triple>/<config>/.
    static var root: URL {
        var url = Bundle.main.bundleURL
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// The interpreter: `LATENT_PYTHON` when set, else .build/python/bin/python.
    static var executable: String {
        ProcessInfo.processInfo.environment["LATENT_PYTHON"] ?? root.appendingPathComponent(".build/python/bin/python").path
    }

    /// Runs `python -m MODULE ARGUMENTS` with the companion importable; stdout, stderr, status.
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw NSError(domain: "latent", code: 1, userInfo: [NSLocalizedDescriptionKey:
                "no \(executable): run `make deps`, which makes it (python3-torch and the safetensors library)"])
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = root.appendingPathComponent("python").path
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}

/// latent against PyTorch on the same weights, batch and noise: per-image loss terms, every
/// tensor's gradient, and the weights after ten Adam steps (the companion's
/// `latent_torch.parity` computes PyTorch's side in float32 and float64).
final class TorchParityTests: CommandTestCase {
    /// The largest difference between `ours` and `theirs`, relative to the largest magnitude
    /// in `theirs`: the scale-free measure for a whole tensor (elements near zero would make
    /// an element-wise ratio meaningless).
    private func relativeDifference(_ ours: [Float], _ theirs: [Float]) -> Double {
        precondition(ours.count == theirs.count, "\(ours.count) against \(theirs.count) values")
        let scale = theirs.reduce(0) { max($0, abs(Double($1))) }
        let worst = zip(ours, theirs).reduce(0) { max($0, abs(Double($1.0) - Double($1.1))) }
        return scale == 0 ? worst : worst / scale
    }

    private func check(_ name: String, kind: ModelKind = .vae, reconstruction: Reconstruction = .bce,
                       batch n: Int = 3, steps: Int = 10, beta: Float = 1) throws {
        let configuration = ModelConfiguration(architecture: try Architecture(parsing: name), kind: kind, reconstruction: reconstruction)
        let model = VAE(configuration: configuration, seed: 7)
        let d = model.pixelCount, l = model.latentSize
        var rng = RandomGenerator(seed: 11)
        let x = (0..<(n * d)).map { _ in Float(rng.uniform(0, 1)) }
        var noise = [Float](repeating: 0, count: steps * n * l)
        noise.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        let dir = try temporaryDirectory()
        let image = configuration.architecture.image
        var tensors = model.parameters.map { (name: $0.name, tensor: $0.value) }
        tensors.append((name: "parity.x", tensor: Tensor(shape: [n, d], storage: x)))
        tensors.append((name: "parity.noise", tensor: Tensor(shape: [steps, n, l], storage: noise)))
        try Safetensors.write(tensors, metadata: [
            "latent.architecture": configuration.architecture.name, "latent.image": "\(image.channels)x\(image.height)x\(image.width)",
            "latent.kind": kind.rawValue, "latent.reconstruction": reconstruction.rawValue,
            "parity.beta": "\(beta)", "parity.steps": "\(steps)",
        ], to: dir + "/case.safetensors")
        let run = try CompanionPython.run(["-m", "latent_torch.parity", dir + "/case.safetensors", dir + "/result.safetensors"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let torch = try Safetensors.read(path: dir + "/result.safetensors").tensors

        // The first step: terms and gradients, against PyTorch in float64.
        model.zeroGradients()
        let pass = x.withUnsafeBufferPointer { xs in
            noise.withUnsafeBufferPointer { all in
                model.accumulateGradients(batch: xs, batchSize: n, beta: beta, noise: UnsafeBufferPointer(rebasing: all[0..<(n * l)]))
            }
        }
        let terms = max(relativeDifference(pass.reconstruction, try XCTUnwrap(torch["recon64"]).storage),
                        relativeDifference(pass.kl, try XCTUnwrap(torch["kl64"]).storage))
        var gradients = 0.0
        for parameter in model.parameters {
            let theirs = try XCTUnwrap(torch["grad64." + parameter.name], parameter.name)
            XCTAssertEqual(theirs.shape, parameter.gradient.shape, parameter.name)
            gradients = max(gradients, relativeDifference(parameter.gradient.storage, theirs.storage))
        }

        // Ten Adam steps from the same start, step k on noise k. Adam's first steps move every
        // weight by about the learning rate in the direction of its gradient's sign, so a
        // gradient that is zero but for rounding can go either way, and the larger models'
        // trajectories part within float32 itself: they are held to PyTorch's own float32
        // against its float64 (twice that, or 1e-4), and the losses along the way to 1e-4.
        let fresh = VAE(configuration: configuration, seed: 7)
        let adam = Adam(parameters: fresh.parameters)
        var losses: [Float] = []
        for k in 0..<steps {
            fresh.zeroGradients()
            let pass = x.withUnsafeBufferPointer { xs in
                noise.withUnsafeBufferPointer { all in
                    fresh.accumulateGradients(batch: xs, batchSize: n, beta: beta,
                                              noise: UnsafeBufferPointer(rebasing: all[(k * n * l)..<((k + 1) * n * l)]))
                }
            }
            losses += [pass.reconstruction.reduce(0, +) / Float(n), pass.kl.reduce(0, +) / Float(n)]
            adam.update()
        }
        let lossDifference = relativeDifference(losses, try XCTUnwrap(torch["losses64"]).storage)
        var ours = 0.0, torchOwn = 0.0
        for parameter in fresh.parameters {
            let exact = try XCTUnwrap(torch["after64." + parameter.name], parameter.name).storage
            ours = max(ours, relativeDifference(parameter.value.storage, exact))
            torchOwn = max(torchOwn, relativeDifference(try XCTUnwrap(torch["after." + parameter.name]).storage, exact))
        }
        print("parity \(configuration.architecture.name) \(kind.rawValue) \(reconstruction.rawValue): terms \(terms), gradients \(gradients), losses over \(steps) Adam steps \(lossDifference), weights after them \(ours) (PyTorch float32 against float64: \(torchOwn))")
        XCTAssertLessThan(terms, 1e-4, name)
        XCTAssertLessThan(gradients, 1e-4, name)
        XCTAssertLessThan(lossDifference, 1e-4, name)
        XCTAssertLessThan(ours, max(1e-4, 2 * torchOwn), name)
    }

    func testEveryReferenceArchitecture_MatchesPyTorch() throws {
        for name in ["mlp20", "mlp2", "conv2", "rgb32", "rgb64"] { try check(name) }
    }

    func testOtherKindsAndLosses_MatchPyTorch() throws {
        for (name, kind, reconstruction, beta) in [("mlp(hidden:[64,32],latent:3)", ModelKind.ae, Reconstruction.mse, Float(1)),
                                                   ("conv(filters:[8,16,8],dense:12,latent:4,image:3x16x16)", .vae, .mse, 4),
                                                   ("conv(filters:[8,16],dense:12,latent:2)", .vae, .bce, 0.5)] {
            try check(name, kind: kind, reconstruction: reconstruction, beta: beta)
        }
    }
}
