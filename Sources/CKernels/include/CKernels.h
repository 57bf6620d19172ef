// Element-wise kernels for VAECore's hot loops.
//
// Everything that is not a matrix product but runs over every pixel or every parameter on every
// step lives here: the reconstruction losses with their gradients, activations, Adam. Each
// function is compiled three times (AVX-512, AVX2+FMA, baseline x86-64) and the loader picks the
// best one for the CPU, so the same binary is fast on this machine and still runs on older ones.
// Transcendentals use our own vectorisable polynomials (relative error below 2e-7).
//
// Legend: N = rows (images), D = columns (pixels or features), n = element count.
#ifndef LATENT_CKERNELS_H
#define LATENT_CKERNELS_H

#include <stddef.h>

/// Bernoulli reconstruction from logits, stable for any logit:
/// loss[i] = sum_j max(l,0) - l*x + log1p(exp(-|l|));  dlogits = scale * (sigmoid(l) - x).
/// logits, x, dlogits: [N, D]; loss: [N]. dlogits may be NULL (no gradient wanted).
void lk_bce_logits(const float *logits, const float *x, float *dlogits, float *loss,
                   size_t rows, size_t cols, float scale);

/// Gaussian reconstruction on the sigmoid mean: m = sigmoid(l);
/// loss[i] = sum_j (m - x)^2;  dlogits = scale * 2 (m - x) m (1 - m). dlogits may be NULL.
void lk_sse_sigmoid(const float *logits, const float *x, float *dlogits, float *loss,
                    size_t rows, size_t cols, float scale);

/// y = 1 / (1 + exp(-x)), element-wise; y may alias x.
void lk_sigmoid(const float *x, float *y, size_t n);

/// dx = dy * y * (1 - y), where y = sigmoid(x) from the forward pass.
void lk_sigmoid_backward(const float *dy, const float *y, float *dx, size_t n);

/// y = max(x, 0); y may alias x.
void lk_relu(const float *x, float *y, size_t n);

/// dx = y > 0 ? dy : 0, where y is the ReLU's output; dx may alias dy.
void lk_relu_backward(const float *dy, const float *y, float *dx, size_t n);

/// out[j] += sum_i m[i, j] for m: [N, D] (bias gradients of row-major activations).
void lk_add_column_sums(const float *m, float *out, size_t rows, size_t cols);

/// out[i] += sum_j m[i, j] for m: [N, D] (bias gradients of channel-major activations).
void lk_add_row_sums(const float *m, float *out, size_t rows, size_t cols);

/// One Adam step as PyTorch computes it (torch.optim.Adam, weight_decay 0, amsgrad off):
/// m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
/// p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps),  bc_k = 1 - b_k^t.
void lk_adam(float *p, const float *g, float *m, float *v, size_t n,
             float lr, float beta1, float beta2, float eps, float bc1, float bc2);

/// Convolution geometry for im2col/col2im: C x H x W images, k x k kernel, stride, padding,
/// OH x OW output positions. See ConvGeometry.swift for the column layout.
typedef struct {
    long channels, height, width, kernel, stride, padding, out_height, out_width;
} lk_conv_geometry;

/// Writes columns [C k k, N P] (P = OH OW) for images first..<last of `batch` images [N, C, H, W].
void lk_im2col(const lk_conv_geometry *g, const float *image, long batch, long first, long last,
               float *columns);

/// Adds columns [C k k, N P] onto images first..<last of `batch` images [N, C, H, W].
void lk_col2im(const lk_conv_geometry *g, const float *columns, long batch, long first, long last,
               float *image);

/// The grid on which a strided convolution runs as one sgemm per kernel tap (see PhaseGrid.swift).
/// Positions (the low-resolution side) sit at grid (oy, ox); pixel (y, x) of the image side sits
/// in phase (y mod s, x mod s) at grid (y / s - q_low, x / s - q_low). Each channel is a row of
/// row_len = batch * grid_h * grid_w + slack values.
typedef struct {
    long stride, q_low, grid_h, grid_w, row_len;
} lk_phase_grid;

/// grid[c] = positions [N, C, OH, OW] placed on the grid, zeros elsewhere; channels first..<last.
void lk_positions_to_grid(const lk_phase_grid *g, const float *positions, long batch, long channels,
                          long oh, long ow, float *grid, long first, long last);

/// positions[n, c] = grid[c] at the valid cells, plus bias[c] when bias is not NULL.
void lk_grid_to_positions(const lk_phase_grid *g, const float *grid, long batch, long channels,
                          long oh, long ow, const float *bias, float *positions, long first, long last);

/// phases[a * s + b][c] = the pixels of image [N, C, H, W] in phase (a, b), zeros elsewhere.
void lk_image_to_phases(const lk_phase_grid *g, const float *image, long batch, long channels,
                        long h, long w, float *phases, long first, long last);

/// image[n, c, y, x] = its phase cell, plus bias[c] when bias is not NULL.
void lk_phases_to_image(const lk_phase_grid *g, const float *phases, long batch, long channels,
                        long h, long w, const float *bias, float *image, long first, long last);

/// packed[t][r][c] = weight[r * row_stride + c * column_stride + t]: a convolution's weights in
/// one [rows, columns] matrix per kernel tap. The k*k taps of one (r, c) are contiguous in the
/// PyTorch layouts; columns go in blocks so that both sides are touched a cache line at a time.
void lk_pack_taps(const float *weight, float *packed, long taps, long rows, long columns,
                  long row_stride, long column_stride);

/// weight[r * row_stride + c * column_stride + t] += packed[t][r][c] (the adjoint of lk_pack_taps).
void lk_unpack_taps_add(const float *packed, float *weight, long taps, long rows, long columns,
                        long row_stride, long column_stride);

/// Returns 1 when the CPU has the AVX-512 subsets OpenBLAS's SkylakeX kernels use
/// (F, CD, BW, DQ, VL), else 0.
int lk_cpu_has_avx512(void);

/// Returns 1 when the CPU has AVX2 and FMA (OpenBLAS's Haswell kernels), else 0.
int lk_cpu_has_avx2(void);

/// The kernel variant this file's dispatch picks on this CPU: "avx512", "avx2" or "baseline".
const char *lk_kernel_variant(void);

#endif
