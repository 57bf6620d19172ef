import Foundation

/// A picture of a checkpoint's loss history, per epoch: the objective, the test score and the
/// reconstruction term on one panel, the KL term of a VAE on a second panel below, with round
/// ticks, markers at each epoch and a legend placed where the lines are not.
public enum LossCurvePlot {
    /// How a point of a line is marked.
    enum Marker { case filled, hollow, cross }

    /// One line of the plot.
    struct Series {
        var name: String
        var values: [Double]
        var shade: Float      // 0 black .. 1 white
        var dash: Int         // 0 solid, else dash length in pixels
        var marker: Marker
    }

    /// A titled panel of lines sharing one y axis.
    struct Panel {
        var title: String
        var series: [Series]
    }

    /// The panels for a history: a VAE gets the KL panel, a plain autoencoder (whose KL is 0)
    /// only the reconstruction.
    static func panels(_ history: [EpochRecord], kind: ModelKind, reconstruction: Reconstruction) -> [Panel] {
        let unit = reconstruction == .bce ? "nats per image" : "squared error per image"
        switch kind {
        case .ae:
            return [Panel(title: unit, series: [
                Series(name: "train recon", values: history.map(\.train.reconstruction), shade: 0, dash: 0, marker: .filled),
                Series(name: "test recon", values: history.map(\.test.reconstruction), shade: 0.35, dash: 8, marker: .hollow),
            ])]
        case .vae:
            return [
                Panel(title: unit, series: [
                    Series(name: "train loss", values: history.map(\.train.total), shade: 0, dash: 0, marker: .filled),
                    Series(name: "test -ELBO", values: history.map(\.test.negativeELBO), shade: 0.35, dash: 8, marker: .hollow),
                    Series(name: "train recon", values: history.map(\.train.reconstruction), shade: 0.55, dash: 3, marker: .cross),
                ]),
                Panel(title: "KL (nats per image)", series: [
                    Series(name: "train KL", values: history.map(\.train.kl), shade: 0, dash: 0, marker: .filled),
                    Series(name: "test KL", values: history.map(\.test.kl), shade: 0.35, dash: 8, marker: .hollow),
                ]),
            ]
        }
    }

    /// Draws the history (at least one epoch) of a model of `kind` as a grayscale image.
    public static func render(_ history: [EpochRecord], kind: ModelKind = .vae, reconstruction: Reconstruction = .bce,
                              width: Int = 640, height: Int = 440) -> ImageFile.Gray {
        precondition(!history.isEmpty, "no epochs to plot")
        var canvas = PlotCanvas(width: width, height: height)
        let panels = panels(history, kind: kind, reconstruction: reconstruction)
        let epochs = history.map(\.epoch)
        let (left, right, bottom) = (64, width - 16, height - 40)
        // The first panel takes 60% of the height when there are two.
        let split = panels.count == 1 ? bottom : Int(Double(height) * 0.6)
        var top = 28
        for (index, panel) in panels.enumerated() {
            let lower = index == panels.count - 1 ? bottom : split - 24
            canvas.drawPanel(panel, epochs: epochs, x0: left, x1: right, y0: top, y1: lower)
            top = split + 16
        }
        let label = "epoch"
        canvas.text(label, x: (left + right - PixelFont.width(label, scale: PlotCanvas.scale)) / 2, y: height - 14)
        return ImageFile.Gray(width: width, height: height, pixels: canvas.pixels)
    }
}
