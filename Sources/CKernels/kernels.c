// Element-wise kernels: see include/CKernels.h for the contract of each function.
//
// Loops are written so that clang vectorises them: no branches in the bodies (selects only),
// relaxed floating-point association for reductions in this file only.
#include "CKernels.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LK_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

#pragma clang fp reassociate(on) contract(fast)

static inline float lk_bits_to_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t lk_float_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/// exp(x) for x <= 0 (the callers only need exp(-|l|)); returns 0 below -87.
/// x = k ln2 + r, |r| <= ln2/2; e^r by a degree-6 Taylor-Horner polynomial; 2^k by exponent bits.
static inline float lk_exp_nonpositive(float x) {
    x = x < -87.0f ? -87.0f : x;
    float k = __builtin_rintf(x * 1.44269504088896341f);
    float r = x - k * 0.693359375f;          // ln2 split in two for an exact product
    r = r - k * -2.12194440e-4f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t ki = (int32_t)k;
    return p * lk_bits_to_float((uint32_t)(ki + 127) << 23);
}

/// log1p(e) for e in [0, 1]. u = 1 + e = 2^k m, m in [sqrt(1/2), sqrt(2));
/// log m = 2 atanh(f), f = (m-1)/(m+1), odd series to f^9; the rounding of 1 + e is corrected.
static inline float lk_log1p_unit(float e) {
    float u = 1.0f + e;
    uint32_t bits = lk_float_to_bits(u);
    // u in [1, 2]: k is 0 or 1 (1 when u >= sqrt 2).
    float k = u >= 1.41421356f ? 1.0f : 0.0f;
    float m = lk_bits_to_float(bits - ((uint32_t)k << 23));
    float f = (m - 1.0f) / (m + 1.0f);
    float f2 = f * f;
    float s = 1.0f / 9.0f;
    s = s * f2 + 1.0f / 7.0f;
    s = s * f2 + 1.0f / 5.0f;
    s = s * f2 + 1.0f / 3.0f;
    s = s * f2 + 1.0f;
    float logu = 2.0f * f * s + k * 0.693147180559945f;
    // u - 1 differs from e by the rounding of the sum; log(u) - (u - 1 - e) / u undoes it.
    return logu - ((u - 1.0f) - e) / u;
}

LK_CLONES
void lk_bce_logits(const float *logits, const float *x, float *dlogits, float *loss,
                   size_t rows, size_t cols, float scale) {
    for (size_t i = 0; i < rows; i++) {
        const float *l = logits + i * cols;
        const float *t = x + i * cols;
        float sum = 0.0f;
        if (dlogits) {
            float *d = dlogits + i * cols;
            for (size_t j = 0; j < cols; j++) {
                float a = l[j];
                float e = lk_exp_nonpositive(-fabsf(a));
                float pos = a > 0.0f ? a : 0.0f;
                sum += pos - a * t[j] + lk_log1p_unit(e);
                float inv = 1.0f / (1.0f + e);
                float sig = a >= 0.0f ? inv : e * inv;
                d[j] = scale * (sig - t[j]);
            }
        } else {
            for (size_t j = 0; j < cols; j++) {
                float a = l[j];
                float e = lk_exp_nonpositive(-fabsf(a));
                float pos = a > 0.0f ? a : 0.0f;
                sum += pos - a * t[j] + lk_log1p_unit(e);
            }
        }
        loss[i] = sum;
    }
}

static inline float lk_sigmoid1(float a) {
    float e = lk_exp_nonpositive(-fabsf(a));
    float inv = 1.0f / (1.0f + e);
    return a >= 0.0f ? inv : e * inv;
}

LK_CLONES
void lk_sse_sigmoid(const float *logits, const float *x, float *dlogits, float *loss,
                    size_t rows, size_t cols, float scale) {
    for (size_t i = 0; i < rows; i++) {
        const float *l = logits + i * cols;
        const float *t = x + i * cols;
        float sum = 0.0f;
        for (size_t j = 0; j < cols; j++) {
            float m = lk_sigmoid1(l[j]);
            float r = m - t[j];
            sum += r * r;
            if (dlogits) dlogits[i * cols + j] = scale * 2.0f * r * m * (1.0f - m);
        }
        loss[i] = sum;
    }
}

LK_CLONES
void lk_sigmoid(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = lk_sigmoid1(x[i]);
}

LK_CLONES
void lk_sigmoid_backward(const float *dy, const float *y, float *dx, size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

LK_CLONES
void lk_relu(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

LK_CLONES
void lk_relu_backward(const float *dy, const float *y, float *dx, size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

LK_CLONES
void lk_add_column_sums(const float *m, float *out, size_t rows, size_t cols) {
    for (size_t i = 0; i < rows; i++) {
        const float *r = m + i * cols;
        for (size_t j = 0; j < cols; j++) out[j] += r[j];
    }
}

LK_CLONES
void lk_add_row_sums(const float *m, float *out, size_t rows, size_t cols) {
    for (size_t i = 0; i < rows; i++) {
        const float *r = m + i * cols;
        float s = 0.0f;
        for (size_t j = 0; j < cols; j++) s += r[j];
        out[i] += s;
    }
}

LK_CLONES
void lk_adam(float *p, const float *g, float *m, float *v, size_t n,
             float lr, float beta1, float beta2, float eps, float bc1, float bc2) {
    float step = lr / bc1;
    float rsqrt_bc2 = 1.0f / sqrtf(bc2);
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step * mi / (sqrtf(vi) * rsqrt_bc2 + eps);
    }
}

/// The positions o in 0..<count whose input o * stride - padding + offset lies in 0..<extent.
static inline void lk_valid_range(long offset, long extent, long count, long stride, long padding,
                                  long *low, long *high) {
    long lo = padding - offset;                     // o * stride >= lo
    lo = lo <= 0 ? 0 : (lo + stride - 1) / stride;
    long hi_incl = extent - 1 + padding - offset;   // o * stride <= hi_incl
    long hi = hi_incl < 0 ? 0 : hi_incl / stride + 1;
    if (hi > count) hi = count;
    if (hi < lo) hi = lo;
    *low = lo;
    *high = hi;
}

/// Floor division and the matching non-negative remainder.
static inline long lk_floor_div(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Strided convolutions (stride s > 1) work through "phase planes": the plane's pixels split
// into s x s sub-grids, pixel (y, x) going to phase (y mod s, x mod s) at (y / s, x / s).
// In phase coordinates every kernel tap reads or writes a contiguous run of pixels, so the
// inner loops are plain copies and adds instead of strided gathers and scatters.

/// Splits a H x W plane into s x s phase planes of hq x wq (zero beyond the image).
static inline void lk_to_phases(const float *plane, long h, long w, long s, long hq, long wq, float *phases) {
    memset(phases, 0, sizeof(float) * s * s * hq * wq);
    for (long y = 0; y < h; y++) {
        const float *row = plane + y * w;
        long a = y % s, i = y / s;
        if (s == 2) {
            float *even = phases + ((a * 2 + 0) * hq + i) * wq;
            float *odd = phases + ((a * 2 + 1) * hq + i) * wq;
            for (long j = 0; j < w / 2; j++) { even[j] = row[2 * j]; odd[j] = row[2 * j + 1]; }
            if (w & 1) even[w / 2] = row[w - 1];
        } else {
            for (long x = 0; x < w; x++) phases[((a * s + x % s) * hq + i) * wq + x / s] = row[x];
        }
    }
}

/// Adds s x s phase planes back onto a H x W plane.
static inline void lk_add_phases(const float *phases, long h, long w, long s, long hq, long wq, float *plane) {
    for (long y = 0; y < h; y++) {
        float *row = plane + y * w;
        long a = y % s, i = y / s;
        if (s == 2) {
            const float *even = phases + ((a * 2 + 0) * hq + i) * wq;
            const float *odd = phases + ((a * 2 + 1) * hq + i) * wq;
            for (long j = 0; j < w / 2; j++) { row[2 * j] += even[j]; row[2 * j + 1] += odd[j]; }
            if (w & 1) row[w - 1] += even[w / 2];
        } else {
            for (long x = 0; x < w; x++) row[x] += phases[((a * s + x % s) * hq + i) * wq + x / s];
        }
    }
}

// Loop order: channel, kernel tap, image. The column matrix is then read or written in its
// own row-major order (long sequential runs the prefetcher follows), while the planes of one
// channel for the images in hand stay in L2.

LK_CLONES
void lk_im2col(const lk_conv_geometry *g, const float *image, long batch, long first, long last,
               float *columns) {
    const long k = g->kernel, s = g->stride, pad = g->padding;
    const long oh_n = g->out_height, ow_n = g->out_width, h = g->height, w = g->width;
    const long p = oh_n * ow_n, np = batch * p;
    const long hq = (h + s - 1) / s, wq = (w + s - 1) / s, phase_size = s * s * hq * wq;
    float *phases = s > 1 ? malloc(sizeof(float) * phase_size * (last - first)) : NULL;
    for (long c = 0; c < g->channels; c++) {
        if (s > 1) {
            for (long n = first; n < last; n++) {
                lk_to_phases(image + (n * g->channels + c) * h * w, h, w, s, hq, wq,
                             phases + (n - first) * phase_size);
            }
        }
        for (long ki = 0; ki < k; ki++) {
            long r0, r1;
            lk_valid_range(ki, h, oh_n, s, pad, &r0, &r1);
            // Input row oh * s + (ki - pad): phase a, phase row oh + qi.
            long qi = lk_floor_div(ki - pad, s), a = (ki - pad) - qi * s;
            for (long kj = 0; kj < k; kj++) {
                long c0, c1;
                lk_valid_range(kj, w, ow_n, s, pad, &c0, &c1);
                long qj = lk_floor_div(kj - pad, s), b = (kj - pad) - qj * s;
                for (long n = first; n < last; n++) {
                    const float *plane = image + (n * g->channels + c) * h * w;
                    const float *phase = s > 1 ? phases + (n - first) * phase_size + (a * s + b) * hq * wq : NULL;
                    float *out = columns + ((c * k + ki) * k + kj) * np + n * p;
                    memset(out, 0, sizeof(float) * r0 * ow_n);
                    for (long oh = r0; oh < r1; oh++) {
                        float *dst = out + oh * ow_n;
                        const float *src = s > 1 ? phase + (oh + qi) * wq + qj
                                                 : plane + (oh - pad + ki) * w - pad + kj;
                        for (long ow = 0; ow < c0; ow++) dst[ow] = 0.0f;
                        for (long ow = c0; ow < c1; ow++) dst[ow] = src[ow];
                        for (long ow = c1; ow < ow_n; ow++) dst[ow] = 0.0f;
                    }
                    memset(out + r1 * ow_n, 0, sizeof(float) * (oh_n - r1) * ow_n);
                }
            }
        }
    }
    free(phases);
}

LK_CLONES
void lk_col2im(const lk_conv_geometry *g, const float *columns, long batch, long first, long last,
               float *image) {
    const long k = g->kernel, s = g->stride, pad = g->padding;
    const long oh_n = g->out_height, ow_n = g->out_width, h = g->height, w = g->width;
    const long p = oh_n * ow_n, np = batch * p;
    const long hq = (h + s - 1) / s, wq = (w + s - 1) / s, phase_size = s * s * hq * wq;
    float *phases = s > 1 ? malloc(sizeof(float) * phase_size * (last - first)) : NULL;
    for (long c = 0; c < g->channels; c++) {
        if (s > 1) memset(phases, 0, sizeof(float) * phase_size * (last - first));
        for (long ki = 0; ki < k; ki++) {
            long r0, r1;
            lk_valid_range(ki, h, oh_n, s, pad, &r0, &r1);
            long qi = lk_floor_div(ki - pad, s), a = (ki - pad) - qi * s;
            for (long kj = 0; kj < k; kj++) {
                long c0, c1;
                lk_valid_range(kj, w, ow_n, s, pad, &c0, &c1);
                long qj = lk_floor_div(kj - pad, s), b = (kj - pad) - qj * s;
                for (long n = first; n < last; n++) {
                    float *plane = image + (n * g->channels + c) * h * w;
                    float *phase = s > 1 ? phases + (n - first) * phase_size + (a * s + b) * hq * wq : NULL;
                    const float *in = columns + ((c * k + ki) * k + kj) * np + n * p;
                    for (long oh = r0; oh < r1; oh++) {
                        const float *src = in + oh * ow_n;
                        float *dst = s > 1 ? phase + (oh + qi) * wq + qj
                                           : plane + (oh - pad + ki) * w - pad + kj;
                        for (long ow = c0; ow < c1; ow++) dst[ow] += src[ow];
                    }
                }
            }
        }
        if (s > 1) {
            for (long n = first; n < last; n++) {
                lk_add_phases(phases + (n - first) * phase_size, h, w, s, hq, wq,
                              image + (n * g->channels + c) * h * w);
            }
        }
    }
    free(phases);
}

/// Columns c0..<c0 + LK_TAP_BLOCK of row r, every tap, between the PyTorch layout and the
/// per-tap matrices (`into_matrices`) or back, added: each tap's values make one short
/// contiguous run in its matrix, and the columns' taps lie on a few nearby lines of the layout.
/// The side only read is passed without const by the two callers below.
enum { LK_TAP_BLOCK = 16 };

static void lk_tap_block(float *layout, float *matrices, long taps, long rows, long columns,
                         long row_stride, long column_stride, long r, long c0, int into_matrices) {
    const long n = columns - c0 < LK_TAP_BLOCK ? columns - c0 : LK_TAP_BLOCK;
    for (long t = 0; t < taps; t++) {
        float *matrix_row = matrices + (t * rows + r) * columns + c0;
        float *tap = layout + r * row_stride + c0 * column_stride + t;
        if (into_matrices) {
            for (long b = 0; b < n; b++) matrix_row[b] = tap[b * column_stride];
        } else {
            for (long b = 0; b < n; b++) tap[b * column_stride] += matrix_row[b];
        }
    }
}

/// Every block, the larger stride outermost so that the layout is walked in order.
static void lk_tap_blocks(float *layout, float *matrices, long taps, long rows, long columns,
                          long row_stride, long column_stride, int into_matrices) {
    if (column_stride > row_stride) {
        for (long c0 = 0; c0 < columns; c0 += LK_TAP_BLOCK)
            for (long r = 0; r < rows; r++)
                lk_tap_block(layout, matrices, taps, rows, columns, row_stride, column_stride, r, c0, into_matrices);
    } else {
        for (long r = 0; r < rows; r++)
            for (long c0 = 0; c0 < columns; c0 += LK_TAP_BLOCK)
                lk_tap_block(layout, matrices, taps, rows, columns, row_stride, column_stride, r, c0, into_matrices);
    }
}

void lk_pack_taps(const float *weight, float *packed, long taps, long rows, long columns,
                  long row_stride, long column_stride) {
    lk_tap_blocks((float *)weight, packed, taps, rows, columns, row_stride, column_stride, 1);
}

void lk_unpack_taps_add(const float *packed, float *weight, long taps, long rows, long columns,
                        long row_stride, long column_stride) {
    lk_tap_blocks(weight, (float *)packed, taps, rows, columns, row_stride, column_stride, 0);
}

LK_CLONES
void lk_positions_to_grid(const lk_phase_grid *g, const float *positions, long batch, long channels,
                          long oh, long ow, float *grid, long first, long last) {
    const long plane = g->grid_h * g->grid_w;
    for (long c = first; c < last; c++) {
        float *row = grid + c * g->row_len;
        memset(row, 0, sizeof(float) * g->row_len);
        for (long n = 0; n < batch; n++) {
            const float *src = positions + (n * channels + c) * oh * ow;
            for (long y = 0; y < oh; y++) {
                memcpy(row + n * plane + y * g->grid_w, src + y * ow, sizeof(float) * ow);
            }
        }
    }
}

LK_CLONES
void lk_grid_to_positions(const lk_phase_grid *g, const float *grid, long batch, long channels,
                          long oh, long ow, const float *bias, float *positions, long first, long last) {
    const long plane = g->grid_h * g->grid_w;
    for (long c = first; c < last; c++) {
        const float *row = grid + c * g->row_len;
        const float b = bias ? bias[c] : 0.0f;
        for (long n = 0; n < batch; n++) {
            float *dst = positions + (n * channels + c) * oh * ow;
            for (long y = 0; y < oh; y++) {
                const float *src = row + n * plane + y * g->grid_w;
                for (long x = 0; x < ow; x++) dst[y * ow + x] = src[x] + b;
            }
        }
    }
}

LK_CLONES
void lk_image_to_phases(const lk_phase_grid *g, const float *image, long batch, long channels,
                        long h, long w, float *phases, long first, long last) {
    const long s = g->stride, plane = g->grid_h * g->grid_w, phase_size = channels * g->row_len;
    for (long c = first; c < last; c++) {
        for (long ph = 0; ph < s * s; ph++) memset(phases + ph * phase_size + c * g->row_len, 0, sizeof(float) * g->row_len);
        for (long n = 0; n < batch; n++) {
            const float *src = image + (n * channels + c) * h * w;
            for (long y = 0; y < h; y++) {
                const long a = y % s, gy = y / s - g->q_low;
                const float *in = src + y * w;
                if (s == 2) {
                    float *even = phases + (a * 2 + 0) * phase_size + c * g->row_len + n * plane + gy * g->grid_w - g->q_low;
                    float *odd = phases + (a * 2 + 1) * phase_size + c * g->row_len + n * plane + gy * g->grid_w - g->q_low;
                    for (long j = 0; j < w / 2; j++) { even[j] = in[2 * j]; odd[j] = in[2 * j + 1]; }
                    if (w & 1) even[w / 2] = in[w - 1];
                } else {
                    for (long x = 0; x < w; x++) {
                        phases[(a * s + x % s) * phase_size + c * g->row_len + n * plane + gy * g->grid_w
                               + x / s - g->q_low] = in[x];
                    }
                }
            }
        }
    }
}

LK_CLONES
void lk_phases_to_image(const lk_phase_grid *g, const float *phases, long batch, long channels,
                        long h, long w, const float *bias, float *image, long first, long last) {
    const long s = g->stride, plane = g->grid_h * g->grid_w, phase_size = channels * g->row_len;
    for (long c = first; c < last; c++) {
        const float b = bias ? bias[c] : 0.0f;
        for (long n = 0; n < batch; n++) {
            float *dst = image + (n * channels + c) * h * w;
            for (long y = 0; y < h; y++) {
                const long a = y % s, gy = y / s - g->q_low;
                float *out = dst + y * w;
                if (s == 2) {
                    const float *even = phases + (a * 2 + 0) * phase_size + c * g->row_len + n * plane + gy * g->grid_w - g->q_low;
                    const float *odd = phases + (a * 2 + 1) * phase_size + c * g->row_len + n * plane + gy * g->grid_w - g->q_low;
                    for (long j = 0; j < w / 2; j++) { out[2 * j] = even[j] + b; out[2 * j + 1] = odd[j] + b; }
                    if (w & 1) out[w - 1] = even[w / 2] + b;
                } else {
                    for (long x = 0; x < w; x++) {
                        out[x] = phases[(a * s + x % s) * phase_size + c * g->row_len + n * plane + gy * g->grid_w
                                        + x / s - g->q_low] + b;
                    }
                }
            }
        }
    }
}

int lk_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl");
}

int lk_cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const char *lk_kernel_variant(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "avx512";
    if (__builtin_cpu_supports("x86-64-v3")) return "avx2";
    return "baseline";
}
