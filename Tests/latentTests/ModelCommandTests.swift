import Foundation
import XCTest
import VAECore

/// The non-interactive commands that use a trained model: sample, encode, eval, score.
final class ModelCommandTests: CommandTestCase {
    /// A small model trained by the binary itself, shared by the tests of this class.
    func trainedModel() throws -> (path: String, dir: String) {
        let dir = try temporaryDirectory()
        return (try trainSmallModel(dir + "/m.safetensors"), dir)
    }

    func testSample_WritesAPNGGridAndRandomSamples() throws {
        let (model, dir) = try trainedModel()
        let grid = try latent(["sample", "--model", model, "--grid", "5", "--out", dir + "/grid.png"])
        XCTAssertEqual(grid.status, 0, grid.stderr)
        XCTAssertEqual(grid.stdout, "wrote \(dir)/grid.png: 25 images, 292x292 pixels\n")
        let png = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/grid.png"))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let random = try latent(["sample", "--model", model, "--random", "10", "--scale", "1", "--out", dir + "/r.png"])
        XCTAssertEqual(random.stdout, "wrote \(dir)/r.png: 10 images, 122x92 pixels\n", random.stderr)
        let pgm = try latent(["sample", "--model", model, "--grid", "3", "--scale", "1", "--out", dir + "/grid.pgm"])
        XCTAssertEqual(pgm.status, 0, pgm.stderr)
        XCTAssertEqual(try ImageFile.read(path: dir + "/grid.pgm").width, 3 * 28 + 4 * 2)
        // A grid of one is the decoded origin.
        XCTAssertEqual(try latent(["sample", "--model", model, "--grid", "1", "--scale", "1", "--out", dir + "/one.pgm"]).status, 0)
        let one = try ImageFile.read(path: dir + "/one.pgm")
        let origin = try Checkpoint.load(path: model).model.decode(point: [0, 0])
        for y in 0..<28 {
            for x in 0..<28 { XCTAssertEqual(one.pixels[(y + 2) * one.width + x + 2], origin[y * 28 + x], accuracy: 1 / 255 + 1e-4) }
        }
        try assertBadInput(["sample", "--model", model, "--out", dir + "/grid.gif"], "grid.gif: cannot write .gif files; name it .png, .jpg, .pgm or .ppm")
        try assertBadInput(["sample", "--model", model, "--grid", "0", "--out", dir + "/x.png"], "--grid must be from 1 to 100")
        try assertBadInput(["sample", "--model", model, "--out", dir + "/no/x.png"], "does not exist")
        try assertBadInput(["sample", "--model", dir + "/none.safetensors", "--out", dir + "/x.png"], "none.safetensors: no such file")
    }

    /// torch_vae.py's rgb32 trains on the generated colour sprites and opens as itself; gray
    /// data for it is refused in one line.
    func testColourModel_TrainsOnSpritesAndRefusesGrayData() throws {
        let dir = try temporaryDirectory()
        let trained = try latent(["train", "--data", "sprites:240", "--arch", "rgb32", "--epochs", "1", "--out", dir + "/rgb.safetensors"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let info = try latent(["info", "--model", dir + "/rgb.safetensors"])
        XCTAssertTrue(info.stdout.contains("model:       rgb32, a VAE with bce reconstruction, 32 latent dimensions, 3x32x32 images"), info.stdout)
        XCTAssertTrue(info.stdout.contains("parameters:  804,195 in 22 tensors"), info.stdout)
        let eval = try latent(["eval", "--model", dir + "/rgb.safetensors"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        // Its pictures are in colour: an 8-bit RGB PNG (IHDR colour type 2) and a P6 PPM.
        for command in [["sample", "--grid", "4"], ["reconstruct"], ["interpolate", "0", "1"]] {
            let result = try latent(command + ["--model", dir + "/rgb.safetensors", "--out", dir + "/c.png"])
            XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
            let png = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/c.png"))
            XCTAssertEqual(Array(png[24..<26]), [8, 2], "\(command[0]) writes 8-bit RGB")
        }
        XCTAssertEqual(try latent(["sample", "--model", dir + "/rgb.safetensors", "--out", dir + "/c.ppm"]).status, 0)
        XCTAssertEqual(try latent(["sample", "--model", dir + "/rgb.safetensors", "--out", dir + "/c.jpg"]).status, 0)
        XCTAssertEqual(Array(try XCTUnwrap(FileManager.default.contents(atPath: dir + "/c.jpg")).prefix(3)), [0xFF, 0xD8, 0xFF])
        XCTAssertEqual(String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: dir + "/c.ppm")).prefix(2), as: UTF8.self), "P6")
        try assertBadInput(["train", "--data", "synthetic:60", "--arch", "rgb32", "--epochs", "1", "--out", dir + "/gray.safetensors"],
                           "data synthetic/train has 28x28 images; architecture rgb32 takes 3x32x32")
    }

    func testEncode_WritesOneCSVRowPerTestImage() throws {
        let (model, dir) = try trainedModel()
        let result = try latent(["encode", "--model", model, "--out", dir + "/z.csv"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try String(contentsOfFile: dir + "/z.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "index,label,mean_0,mean_1,logvar_0,logvar_1")
        XCTAssertEqual(lines.count, 1 + 42)
        XCTAssertEqual(lines[1].split(separator: ",").count, 6)
    }

    func testEvalAndScore_ReportTheTestSet() throws {
        let (model, _) = try trainedModel()
        let text = try latent(["eval", "--model", model, "--samples", "4"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("synthetic/test: negative ELBO "), text.stdout)
        XCTAssertTrue(text.stdout.contains("IW bound (k=4)"), text.stdout)
        let json = try latent(["eval", "--model", model, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(object["images"] as? Int, 42)
        let score = try latent(["score", "--model", model, "--top", "3"])
        let rows = score.stdout.split(separator: "\n")
        XCTAssertEqual(rows.count, 4, score.stdout)
        let values = rows.dropFirst().compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        XCTAssertEqual(values, values.sorted(by: >), "worst first")
        try assertBadInput(["score", "--model", model, "--top", "0"], "--top must be at least 1")
        try assertBadInput(["eval", "--model", model, "--samples", "5001"], "--samples must be from 0 to 5000")
        let ae = model.replacingOccurrences(of: "m.safetensors", with: "ae.safetensors")
        XCTAssertEqual(try latent(["train", "--data", "synthetic:256", "--arch", "mlp2", "--kind", "ae", "--epochs", "1",
                                   "--out", ae]).status, 0)
        let aeScore = try latent(["score", "--model", ae, "--top", "1"])
        XCTAssertTrue(aeScore.stdout.hasPrefix("rank  index  label         recon error\n"), aeScore.stdout)
    }

    func testReconstructAndInterpolateStrip_WritePNGsWithoutATerminal() throws {
        let (model, dir) = try trainedModel()
        let recon = try latent(["reconstruct", "--model", model, "--count", "4", "--first", "2", "--out", dir + "/r.png"])
        XCTAssertEqual(recon.status, 0, recon.stderr)
        XCTAssertEqual(recon.stdout, "wrote \(dir)/r.png: images 2-5 above their reconstructions, 234x118 pixels\n")
        try assertBadInput(["reconstruct", "--model", model, "--first", "40", "--count", "8", "--out", dir + "/r.png"],
                           "runs past synthetic/test, which has 42 images")
        let test = try DataSpec(parsing: "synthetic:256").load().test
        let labels = (test.classNames[test.labels![0]], test.classNames[test.labels![5]])
        let strip = try latent(["interpolate", "0", "5", "--model", model, "--steps", "5", "--spherical", "--out", dir + "/s.png"])
        XCTAssertEqual(strip.status, 0, strip.stderr)
        XCTAssertEqual(strip.stdout, "wrote \(dir)/s.png: 5 frames from #0 (\(labels.0)) to #5 (\(labels.1)) (spherical), cross-fade below\n")
        let png = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/s.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        try assertBadInput(["interpolate", "0", "5", "--model", model, "--steps", "0", "--out", dir + "/s.png"],
                           "--steps must be from 2 to 100, got 0")
        try assertBadInput(["interpolate", "0", dir + "/missing.png", "--model", model, "--out", dir + "/s.png"],
                           "missing.png: no such file")
    }

    func testPlot_DrawsTheHistoryAndRefusesACheckpointWithout() throws {
        let (model, dir) = try trainedModel()
        let plot = try latent(["plot", "--model", model, "--out", dir + "/curves.png"])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        XCTAssertEqual(plot.stdout, "wrote \(dir)/curves.png: 1 epoch, 640x440 pixels\n")
        let png = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/curves.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        // The same weights as PyTorch would save them: no latent metadata, so no history.
        let (vae, _) = try Checkpoint.load(path: model)
        let bare = dir + "/bare.safetensors"
        try Safetensors.write(vae.parameters.map { ($0.name, $0.value) }, metadata: ["format": "pt"], to: bare)
        try assertBadInput(["plot", "--model", bare, "--out", dir + "/c.png"], "bare.safetensors: no training history to plot")
    }

    func testInfo_DescribesACheckpointAndSaysWhenItsLayoutWasInferred() throws {
        let (model, dir) = try trainedModel()
        let text = try latent(["info", "--model", model])
        XCTAssertEqual(text.status, 0, text.stderr)
        let lines = text.stdout.split(separator: "\n")
        XCTAssertEqual(lines[1], "model:       mlp2, a VAE with bce reconstruction, 2 latent dimensions, 28x28 images")
        XCTAssertEqual(lines[2], "parameters:  631,188 in 10 tensors")
        XCTAssertEqual(lines[3], "training:    synthetic:256, batch 128, beta 1, learning rate 0.001, seed 1")
        XCTAssertTrue(lines[4].hasPrefix("history:     1 epoch; last: train "), text.stdout)

        let (vae, _) = try Checkpoint.load(path: model)
        let bare = dir + "/bare.safetensors"
        try Safetensors.write(vae.parameters.map { ($0.name, $0.value) }, metadata: ["format": "pt"], to: bare)
        let json = try latent(["info", "--model", bare, "--json"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["metadata"] as? String, "pytorch")
        XCTAssertEqual(object["architecture"] as? String, "mlp2", "recognised as the preset")
        XCTAssertEqual(object["epochs"] as? Int, 0)
        try assertBadInput(["info", "--model", dir + "/none.safetensors"], "none.safetensors: no such file")
    }
}
