import ArgumentParser
import Foundation
import VAECore

/// `latent sample`: a picture of what the model generates.
struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Save the manifold grid or random samples as a PNG (or PGM/PPM).",
        discussion: """
            --grid N decodes an N x N grid over [-range, range] on the first two latent \
            dimensions (the others 0), as the Keras example's latent-space plot; --random N \
            decodes N draws from N(0, I).

            Example:
              latent sample --out grid.png
              latent sample --model mlp20.safetensors --random 64 --out samples.png
            """)

    @OptionGroup var output: PictureOptions

    @Option(help: "Side of the manifold grid (1 to 100).")
    var grid: Int = 15

    @Option(help: "Draw this many random samples instead of the grid (1 to 10000).")
    var random: Int?

    @Option(parsing: .unconditional, help: "Half the side of the grid's square in latent units.")
    var range: Float = 3

    @Option(help: "Seed for the random samples.")
    var seed: UInt64 = 1

    @OptionGroup var options: CheckpointOptions

    func run() throws {
        if grid < 1 || grid > 100 { throw UsageError("--grid must be from 1 to 100, got \(grid)") }
        if let random, random < 1 || random > 10_000 { throw UsageError("--random must be from 1 to 10000, got \(random)") }
        if !(range > 0) { throw UsageError("--range must be positive, got \(range)") }
        try output.check()
        let (model, _) = try options.loadModel()
        let shape = model.configuration.architecture.image
        let latent = model.latentSize
        let count = random ?? grid * grid
        let columns = random.map { Int(Double($0).squareRoot().rounded(.up)) } ?? grid
        try OutputPath.checkPictureSize(count: count, of: shape, columns: columns, scale: output.scale,
                                        options: random == nil ? "--grid or --scale" : "--random or --scale")
        var points: [Float] = []
        if let random {
            var rng = RandomGenerator(seed: seed)
            points = (0..<(random * latent)).map { _ in rng.normal() }
        } else {
            // The outer images at ±range; a grid of one is the origin.
            let plane = MapPlane.coordinateAxes(x: 0, y: 1, latentSize: latent)
            points = LatentGrid(side: grid, radius: range, placement: .cellEdges)
                .points(on: plane, offPlane: plane.origin).storage
        }
        let decoded = model.decode(Tensor(shape: [count, latent], storage: points))
        let picture = Picture.tiled((0..<count).map { decoded.row($0) }, shape: shape,
                                      columns: columns, scale: output.scale)
        try picture.write(to: output.out)
        Console.line("wrote \(output.out): \(Console.count(count, "image")), \(picture.width)x\(picture.height) pixels")
    }
}
