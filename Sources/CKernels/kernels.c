// Element-wise kernels: see include/CKernels.h for the contract of each function.
//
// Loops are written so that clang vectorises them: no branches in the bodies (selects only),
// relaxed floating-point association for reductions in this file only.
#include "CKernels.h"

#include <math.h>
#include <stdint.h>
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
