import XCTest
@testable import VAECore

final class AdamTests: XCTestCase {
    /// Three steps against torch.optim.Adam's update written out in Double.
    func testAdam_MatchesPyTorchsUpdateRule() {
        var rng = RandomGenerator(seed: 1)
        let parameter = Parameter(name: "w", shape: [3], uniformBound: 1, using: &rng)
        let start = parameter.value.storage.map(Double.init)
        let gradients: [[Float]] = [[0.1, -2, 3e-4], [0.5, -1, 0], [-0.2, 4, 1e-6]]
        let adam = Adam(parameters: [parameter])
        var p = start, m = [0.0, 0, 0], v = [0.0, 0, 0]
        for (t, g) in gradients.enumerated() {
            parameter.gradient = Tensor(shape: [3], storage: g)
            adam.update()
            let step = Double(t + 1)
            for i in 0..<3 {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let denominator = v[i].squareRoot() / (1 - pow(0.999, step)).squareRoot() + 1e-8
                p[i] -= 1e-3 / (1 - pow(0.9, step)) * m[i] / denominator
            }
            assertClose(parameter.value.storage, p.map(Float.init), rtol: 1e-6, atol: 1e-7, "step \(t + 1)")
        }
        XCTAssertEqual(adam.step, 3)
    }
}
