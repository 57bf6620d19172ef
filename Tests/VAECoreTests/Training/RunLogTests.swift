import XCTest
@testable import VAECore

final class RunLogTests: XCTestCase {
    func testRead_SkipsATornLastLineAndForeignLines_AndKeepsNulls() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/run.jsonl"
        let text = """
            {"step": 10, "epoch": 1, "images": 640, "recon": 200.5, "kl": 5, "total": 205.5, "beta": 1, "images_per_s": 1000, "time": 1.5}
            not json
            ["a list"]
            {"epoch_end": 1, "step": 10, "train_loss": null, "test_loss": 201.25, "time": 2}
            {"step": 20, "epoch": 2, "ima
            """
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        let entries = RunLog.read(path: path)
        XCTAssertEqual(entries.count, 2)
        guard case .step(let step) = entries[0], case .epoch(let epoch) = entries[1] else { return XCTFail("\(entries)") }
        XCTAssertEqual(step.step, 10)
        XCTAssertEqual(step.total, 205.5)
        XCTAssertEqual(epoch.testLoss, 201.25)
        XCTAssertTrue(epoch.trainLoss.isNaN, "null reads as NaN")
        XCTAssertEqual(RunLog.read(path: dir + "/none.jsonl"), [])
        XCTAssertEqual(RunLog.path(for: "/a/b/run.safetensors"), "/a/b/run.jsonl")
        // A log read from its end starts at the first whole line after the cut.
        XCTAssertEqual(RunLog.read(path: path, maximumBytes: 120).count, 1)
    }
}
