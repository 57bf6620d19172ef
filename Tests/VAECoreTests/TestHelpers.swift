import Foundation
import XCTest
@testable import VAECore

/// Asserts equal shapes, then that every element is within `atol + rtol * |expected|`,
/// reporting the worst element.
func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "shape \(message)", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    assertClose(actual.storage, expected.storage, rtol: rtol, atol: atol, message, file: file, line: line)
}

func assertClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-4, atol: Float = 1e-5,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    var worst = (index: -1, excess: Float(0))
    for i in 0..<min(actual.count, expected.count) {
        let excess = abs(actual[i] - expected[i]) - (atol + rtol * abs(expected[i]))
        if !(excess <= worst.excess) { worst = (i, excess.isNaN ? .infinity : excess) }
    }
    if worst.index >= 0 {
        XCTFail("\(message): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index])",
                file: file, line: line)
    }
}

/// A tensor of uniform random values.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    var t = Tensor(zeros: shape)
    t.storage.withUnsafeMutableBufferPointer { rng.fillUniform($0, low, high) }
    return t
}

/// Finite-difference check of a layer's backward pass.
///
/// The probe loss projects the output onto fixed random weights R, `f = Σ R ⊙ layer(x)`,
/// summed in Double, so one scalar covers every output; dy = R. Compares dL/dx and every
/// parameter gradient with central differences of step `eps`, on up to `samples` entries each.
/// Returns the largest relative error seen.
@discardableResult
func checkLayerGradients(_ layer: Layer, inputShape: [Int], seed: UInt64 = 7, eps: Float = 1e-3,
                         rtol: Double = 1e-2, samples: Int = 60, failOnMismatch: Bool = true,
                         file: StaticString = #filePath, line: UInt = #line) -> Double {
    var x = randomTensor(inputShape, seed: seed)
    let outShape = layer.outputShape(for: inputShape)
    let projection = randomTensor(outShape, seed: seed + 1)
    var scratch = Tensor(zeros: [layer.scratchCount(batchSize: inputShape[0])])
    var y = Tensor(zeros: outShape)

    func probe() -> Double {
        layer.forward(x, into: &y, scratch: &scratch)
        var sum = 0.0
        for i in 0..<y.count { sum += Double(y[i]) * Double(projection[i]) }
        return sum
    }

    _ = probe()
    for p in layer.parameters { p.zeroGradient() }
    var dx = Tensor(zeros: inputShape)
    layer.backward(projection, input: x, output: y, scratch: &scratch, dx: &dx, needsInputGradient: true)
    let analyticParameters = layer.parameters.map(\.gradient)

    var worst = 0.0
    func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
        let error = abs(Double(analytic) - numeric) / max(1e-2, abs(numeric) + abs(Double(analytic)))
        worst = max(worst, error)
        if error > rtol && failOnMismatch {
            XCTFail("\(type(of: layer)) \(what): analytic \(analytic), numeric \(numeric)", file: file, line: line)
        }
    }
    var rng = RandomGenerator(seed: seed + 2)
    func indices(_ count: Int) -> [Int] {
        count <= samples ? Array(0..<count) : (0..<samples).map { _ in rng.index(below: count) }
    }
    for i in indices(x.count) {
        let saved = x[i]
        x[i] = saved + eps; let plus = probe()
        x[i] = saved - eps; let minus = probe()
        x[i] = saved
        compare(dx[i], (plus - minus) / (2 * Double(eps)), "dx[\(i)]")
    }
    for (p, analytic) in zip(layer.parameters, analyticParameters) {
        for i in indices(p.value.count) {
            let saved = p.value[i]
            p.value[i] = saved + eps; let plus = probe()
            p.value[i] = saved - eps; let minus = probe()
            p.value[i] = saved
            compare(analytic[i], (plus - minus) / (2 * Double(eps)), "d\(p.name)[\(i)]")
        }
    }
    return worst
}

/// Plain loops for a 2-D convolution, the reference the fast path is tested against.
/// x: [N, C, H, W], weight: [O, C, k, k] -> [N, O, OH, OW].
func referenceConv2D(_ x: Tensor, weight: Tensor, bias: Tensor, stride: Int, padding: Int) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, k) = (weight.shape[0], weight.shape[2])
    let oh = (h + 2 * padding - k) / stride + 1, ow = (w + 2 * padding - k) / stride + 1
    var y = Tensor(zeros: [n, o, oh, ow])
    for b in 0..<n { for co in 0..<o { for i in 0..<oh { for j in 0..<ow {
        var sum = Double(bias[co])
        for ci in 0..<c { for ki in 0..<k { for kj in 0..<k {
            let (yy, xx) = (i * stride - padding + ki, j * stride - padding + kj)
            guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
            sum += Double(x[((b * c + ci) * h + yy) * w + xx]) * Double(weight[((co * c + ci) * k + ki) * k + kj])
        } } }
        y[((b * o + co) * oh + i) * ow + j] = Float(sum)
    } } } }
    return y
}

/// Plain loops for a transposed convolution. x: [N, I, H, W], weight: [I, O, k, k].
func referenceConvTranspose2D(_ x: Tensor, weight: Tensor, bias: Tensor, stride: Int, padding: Int,
                              outputPadding: Int) -> Tensor {
    let (n, ci, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, k) = (weight.shape[1], weight.shape[2])
    let oh = (h - 1) * stride - 2 * padding + k + outputPadding
    let ow = (w - 1) * stride - 2 * padding + k + outputPadding
    var sums = [Double](repeating: 0, count: n * o * oh * ow)
    for b in 0..<n { for c in 0..<ci { for i in 0..<h { for j in 0..<w {
        let v = Double(x[((b * ci + c) * h + i) * w + j])
        for co in 0..<o { for ki in 0..<k { for kj in 0..<k {
            let (yy, xx) = (i * stride - padding + ki, j * stride - padding + kj)
            guard yy >= 0, yy < oh, xx >= 0, xx < ow else { continue }
            sums[((b * o + co) * oh + yy) * ow + xx] += v * Double(weight[((c * o + co) * k + ki) * k + kj])
        } } }
    } } } }
    var y = Tensor(zeros: [n, o, oh, ow])
    for idx in 0..<y.count { y[idx] = Float(sums[idx] + Double(bias[(idx / (oh * ow)) % o])) }
    return y
}

/// A directory that is removed when the test ends.
func temporaryDirectory(_ testCase: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "latent-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Intensities as a `Dataset` keeps them: each rounded to the nearest of 256 levels.
func quantised(_ values: [Float]) -> [Float] {
    values.map { Dataset.intensityOfByte[Int(Dataset.byte($0))] }
}

/// Writes a `width` x `height` PPM whose pixels are (red, green, blue) but for a dark dot.
func writePPM(_ path: String, width: Int = 40, height: Int = 40, _ colour: (UInt8, UInt8, UInt8)) {
    var pixels: [UInt8] = []
    for i in 0..<(width * height) { pixels += i == width + 1 ? [0, 0, 0] : [colour.0, colour.1, colour.2] }
    _ = FileManager.default.createFile(atPath: path, contents: Data(Array("P6\n\(width) \(height)\n255\n".utf8) + pixels))
}
