import Foundation
import XCTest
@testable import VAECore

/// Non-finite numbers: never saved as weights, always saved in the history.
final class CheckpointFiniteTests: XCTestCase {
    private let configuration = ModelConfiguration(architecture: Architecture(body: .mlp(hidden: [8]), latent: 2))

    func testFirstNonFiniteParameter_NamesTheTensor() {
        let model = VAE(configuration: configuration, seed: 1)
        XCTAssertNil(model.firstNonFiniteParameter)
        model.parameters[3].value[0] = .infinity
        XCTAssertEqual(model.firstNonFiniteParameter, model.parameters[3].name)
        model.parameters[1].value[7] = -.infinity
        XCTAssertEqual(model.firstNonFiniteParameter, "fc1.bias")
        model.parameters[0].value[model.parameters[0].value.count - 1] = .nan
        XCTAssertEqual(model.firstNonFiniteParameter, "fc1.weight")
        // The largest finite value and subnormals are finite.
        XCTAssertTrue([Float.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 0].isAllFinite)
        XCTAssertFalse([1, 2, Float.signalingNaN].isAllFinite)
        XCTAssertTrue([Float]().isAllFinite)
    }

    func testSave_RefusesNonFiniteWeights_AndLeavesTheFileAsItWas() throws {
        let path = try temporaryDirectory(self) + "/m.safetensors"
        let model = VAE(configuration: configuration, seed: 1)
        let checkpoint = Checkpoint(configuration: configuration)
        try checkpoint.save(model, to: path)
        let before = try XCTUnwrap(FileManager.default.contents(atPath: path))
        model.parameters[2].value[5] = .nan
        XCTAssertThrowsError(try checkpoint.save(model, to: path)) { error in
            XCTAssertEqual(error as? CheckpointError,
                           CheckpointError(file: path, "not saved: tensor 'fc21.weight' holds NaN or infinite values"))
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), before)
        let fresh = try temporaryDirectory(self) + "/new.safetensors"
        XCTAssertThrowsError(try checkpoint.save(model, to: fresh))
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh))
    }

    func testHistoryWithNaNAndInfinities_RoundTrips() throws {
        let path = try temporaryDirectory(self) + "/m.safetensors"
        let model = VAE(configuration: configuration, seed: 1)
        let diverged = EpochRecord(epoch: 1, step: 3, train: LossTerms(reconstruction: .infinity, kl: -.infinity, total: .nan),
                                   test: EvaluationResult(count: 4, reconstruction: .nan, kl: 1, importanceWeightedBound: .nan,
                                                          importanceSamples: 5),
                                   beta: .infinity, trainSeconds: .nan, imagesPerSecond: .infinity)
        try Checkpoint(configuration: configuration, training: TrainingSettings(epochs: 2), history: [diverged]).save(model, to: path)
        let stored = try XCTUnwrap(Safetensors.read(path: path).metadata["latent.history"])
        XCTAssertTrue(stored.contains("\"reconstruction\":\"nan\""), stored)
        XCTAssertTrue(stored.contains("\"kl\":\"-inf\""), stored)
        let record = try XCTUnwrap(Checkpoint.load(path: path).checkpoint.history.first)
        XCTAssertTrue(record.test.reconstruction.isNaN)
        XCTAssertTrue(record.test.negativeELBO.isNaN)
        XCTAssertTrue(record.test.importanceWeightedBound?.isNaN ?? false)
        XCTAssertEqual(record.train.reconstruction, .infinity)
        XCTAssertEqual(record.train.kl, -.infinity)
        XCTAssertTrue(record.train.total.isNaN)
        XCTAssertEqual(record.beta, .infinity)
        XCTAssertEqual(record.imagesPerSecond, .infinity)
        XCTAssertEqual(record.test.count, 4)
    }

    /// The history as files written before NaN had a representation hold it: plain numbers.
    func testHistoryOfEarlierFiles_StillReads() throws {
        let text = "[{\"beta\":1,\"epoch\":1,\"imagesPerSecond\":42301.6527553165,\"step\":2,\"test\":{\"count\":42,"
            + "\"kl\":0.009292947394507272,\"reconstruction\":543.1062098911831},\"train\":{\"kl\":0.009961914271116257,"
            + "\"reconstruction\":548.4530086517334,\"total\":548.4629705660045},\"trainSeconds\":0.006051773}]"
        let records = try Checkpoint.metadataDecoder().decode([EpochRecord].self, from: Data(text.utf8))
        XCTAssertEqual(records.first?.test.count, 42)
        XCTAssertEqual(records.first?.train.total ?? 0, 548.4629705660045, accuracy: 1e-12)
        XCTAssertNil(EpochRecord.problem(inHistory: records))
    }
}
