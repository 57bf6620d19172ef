import CKernels

/// The index arithmetic shared by Conv2D and ConvTranspose2D: im2col, col2im and the layout
/// changes between NCHW activations and the channel-major matrices sgemm works on.
///
/// Legend: N = batch, C = channels on the image side, H x W = image size, k = kernel size,
/// OH x OW = positions on the column side, P = OH * OW, K = C * k * k.
/// The column matrix is [K, N * P]: row `(c * k + ki) * k + kj`, column `n * P + oh * OW + ow`
/// holds image pixel (n, c, oh * stride - padding + ki, ow * stride - padding + kj), or 0 outside.
/// Its rows match PyTorch's weight layouts: Conv2d [O, C, k, k] and ConvTranspose2d [Cin, C, k, k].
public struct ConvGeometry: Equatable, Sendable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let outHeight: Int
    public let outWidth: Int

    /// Geometry of a convolution over a C x H x W image; the column side is the convolution's
    /// output, floor((H + 2 padding - k) / stride) + 1 on each axis.
    public init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        precondition(channels > 0 && height > 0 && width > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "bad convolution geometry C=\(channels) H=\(height) W=\(width) k=\(kernel) s=\(stride) p=\(padding)")
        self.channels = channels
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        outHeight = (height + 2 * padding - kernel) / stride + 1
        outWidth = (width + 2 * padding - kernel) / stride + 1
        precondition(outHeight > 0 && outWidth > 0, "kernel \(kernel) larger than padded image \(height)x\(width)")
    }

    /// Rows of the column matrix: C * k * k.
    public var columnRows: Int { channels * kernel * kernel }
    /// Positions per image on the column side: OH * OW.
    public var positions: Int { outHeight * outWidth }
    /// Pixels per image on the image side: C * H * W.
    public var imageSize: Int { channels * height * width }

    private var kernelGeometry: lk_conv_geometry {
        lk_conv_geometry(channels: channels, height: height, width: width, kernel: kernel, stride: stride,
                         padding: padding, out_height: outHeight, out_width: outWidth)
    }

    /// Writes the column matrix [K, N * P] of `batch` images [N, C, H, W].
    /// Images are split between the cores; each writes only its own columns.
    public func im2col(image: UnsafePointer<Float>, batch: Int, columns: UnsafeMutablePointer<Float>) {
        var g = kernelGeometry
        Parallel.forEachRange(batch, costPerItem: columnRows * positions) { images in
            lk_im2col(&g, image, batch, images.lowerBound, images.upperBound, columns)
        }
    }

    /// Adds the column matrix [K, N * P] back onto `batch` images [N, C, H, W] (the adjoint of
    /// `im2col`). Accumulates: zero the images first for a plain result. Images are split
    /// between the cores; each writes only its own images.
    public func col2im(columns: UnsafePointer<Float>, batch: Int, image: UnsafeMutablePointer<Float>) {
        var g = kernelGeometry
        Parallel.forEachRange(batch, costPerItem: columnRows * positions) { images in
            lk_col2im(&g, columns, batch, images.lowerBound, images.upperBound, image)
        }
    }
}

/// Layout changes between batch-major NCHW tensors and the channel-major [C, N * P] matrices
/// that let one sgemm cover the whole batch.
enum ChannelLayout {
    /// dst[c, n * P + p] = src[n, c, p].
    static func toChannelMajor(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                               batch: Int, channels: Int, positions p: Int) {
        let np = batch * p
        Parallel.forEachRange(batch, costPerItem: channels * p) { images in
            for n in images {
                for c in 0..<channels {
                    (dst + c * np + n * p).update(from: src + (n * channels + c) * p, count: p)
                }
            }
        }
    }

    /// dst[n, c, p] = src[c, n * P + p], plus bias[c] when a bias is given.
    static func toBatchMajor(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                             batch: Int, channels: Int, positions p: Int, bias: UnsafePointer<Float>? = nil) {
        let np = batch * p
        Parallel.forEachRange(batch, costPerItem: channels * p) { images in
            for n in images {
                for c in 0..<channels {
                    let from = src + c * np + n * p
                    let to = dst + (n * channels + c) * p
                    if let bias {
                        let b = bias[c]
                        for i in 0..<p { to[i] = from[i] + b }
                    } else {
                        to.update(from: from, count: p)
                    }
                }
            }
        }
    }
}
