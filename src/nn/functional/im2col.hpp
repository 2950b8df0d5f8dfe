#pragma once
// im2col / col2im of one image, shared by conv2d (conv2d.cpp) and conv_transpose2d, which is
// conv2d's input gradient run forwards (conv_transpose2d.cpp). Legend as in conv2d.cpp:
// x [C, H, W], col [K, P] with K = C * KH * KW, P = OH * OW, col[(c*KH + i)*KW + j,
// oh*OW + ow] = x[c, oh*sh - ph + i*dh, ow*sw - pw + j*dw] (0 outside the image).
#include <algorithm>
#include <cstdint>

#include "soma/nn/functional.hpp"

namespace soma::nn::functional::detail {

struct Geometry {
  int64_t n, c, h, w, o, kh, kw, oh, ow;
  Size2 stride, pad, dil;
  int64_t p() const { return oh * ow; }
  int64_t k() const { return c * kh * kw; }
  // Range [lo, hi) of output columns whose input column ow*sw + off lies inside the image.
  void columns(int64_t off, int64_t* lo, int64_t* hi) const {
    const int64_t s = stride[1];
    *lo = off >= 0 ? 0 : std::min((-off + s - 1) / s, ow);
    *hi = w - 1 - off < 0 ? 0 : std::min((w - 1 - off) / s + 1, ow);
    *hi = std::max(*hi, *lo);
  }
};

// A kernel that covers the whole unpadded input with one output pixel (the last layer of a
// DCGAN discriminator, Conv2d(C, 1, 7) on 7x7; a generator's first ConvTranspose2d on 1x1):
// col of an image is the image itself, so the convolution is one matrix product over the
// batch, with no im2col and no per-image GEMMs of one column each.
inline bool whole_kernel(const Geometry& g) {
  return g.oh == 1 && g.ow == 1 && g.pad[0] == 0 && g.pad[1] == 0 && g.kh == g.h && g.kw == g.w &&
         (g.kh == 1 || g.dil[0] == 1) && (g.kw == 1 || g.dil[1] == 1);
}

// A "same" convolution (stride 1, output as large as the input: 3x3 with padding 1, the
// usual CNN layer) lets each row of col be the whole input plane shifted by one offset:
// one long copy instead of OH copies of OW elements, whose per-row overhead cost more than
// the copying (rows are 14 or 28 elements in a Fashion-MNIST CNN). The elements a shift
// wraps into the neighbouring image row are the ones padding covers; they are zeroed after.
struct Shift {
  int64_t begin, end;  // the flattened range [begin, end) of col's row read from the plane
  int64_t from;        // plane index of col element begin
  int64_t row_lo, row_hi, col_off;
};

inline bool shifts(const Geometry& g) {
  return g.stride[0] == 1 && g.stride[1] == 1 && g.oh == g.h && g.ow == g.w;
}

// The shift by (roff, coff) of an h x w plane onto an h x w row of col, or false where it
// leaves the plane entirely.
inline bool shift_by(int64_t h, int64_t w, int64_t roff, int64_t coff, Shift* s) {
  if (roff <= -h || roff >= h || coff <= -w || coff >= w) return false;
  s->row_lo = std::max<int64_t>(0, -roff);
  s->row_hi = std::min(h, h - roff);
  s->col_off = coff;
  s->begin = s->row_lo * w + std::max<int64_t>(0, -coff);
  s->end = s->row_hi * w - std::max<int64_t>(0, coff);
  s->from = s->begin + roff * w + coff;
  return true;
}

// The shift of col's row (i, j), or false where it leaves the plane entirely (an image
// smaller than the kernel's reach), for which the row-by-row path is used.
inline bool shift_of(const Geometry& g, int64_t i, int64_t j, Shift* s) {
  return shift_by(g.h, g.w, i * g.dil[0] - g.pad[0], j * g.dil[1] - g.pad[1], s);
}

// Zeroes the elements of a shifted row that wrapped across an image row's edge.
template <class T>
void clear_wrapped(T* row, const Shift& s, int64_t w) {
  const int64_t lo = s.col_off < 0 ? 0 : w - s.col_off, hi = s.col_off < 0 ? -s.col_off : w;
  for (int64_t r = s.row_lo; r < s.row_hi; ++r)
    for (int64_t c = lo; c < hi; ++c) row[r * w + c] = T(0);
}

// A strided convolution whose input is exactly stride times its output (a DCGAN's 4x4,
// stride 2, padding 1 layers: 28x28 -> 14x14 -> 7x7) becomes "same" convolutions on the
// input's polyphase planes: with sh x sw phases x_(rh, rw)[a, b] = x[a*sh + rh, b*sw + rw],
// each OH x OW, kernel tap i reads phase rh = (i*dh - ph) mod sh shifted by
// qh = floor((i*dh - ph) / sh) rows (and so for columns), and a shifted position outside
// the phase is outside the image, i.e. padding. So each row of col is one shifted copy of a
// phase instead of OH copies of OW elements read with a stride (7 at a time for 7x7), which
// cost more than the GEMM's share on these layers. The phases take C * H * W scratch.
inline bool phased(const Geometry& g) {
  return (g.stride[0] > 1 || g.stride[1] > 1) && g.h == g.stride[0] * g.oh &&
         g.w == g.stride[1] * g.ow;
}

// Scratch elements im2col and col2im need beside col (for the phases).
inline int64_t scratch_size(const Geometry& g) { return phased(g) ? g.c * g.h * g.w : 0; }

inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Where col's rows (c, i, j) read from, for every c: the phase (rh, rw) of tap (i, j) is
// the plane (c * sh + rh) * sw + rw, shifted by (qh, qw); none where the shift leaves it.
struct PhaseTap {
  int64_t phase;  // (rh * sw + rw)
  bool inside;
  Shift shift;
};

inline PhaseTap phase_tap(const Geometry& g, int64_t i, int64_t j) {
  const int64_t roff = i * g.dil[0] - g.pad[0], coff = j * g.dil[1] - g.pad[1];
  const int64_t qh = floor_div(roff, g.stride[0]), qw = floor_div(coff, g.stride[1]);
  PhaseTap t{};
  t.phase = (roff - qh * g.stride[0]) * g.stride[1] + (coff - qw * g.stride[1]);
  t.inside = shift_by(g.oh, g.ow, qh, qw, &t.shift);
  return t;
}

// Splits x [C, H, W] into its phases [C, sh, sw, OH, OW] (or merges them back, Merge):
// each input row a*sh + rh goes to row a of the sw phases (rh, 0..sw-1).
template <bool Merge, class Image, class T>
void phase_copy(Image* x, T* phases, const Geometry& g) {
  const int64_t P = g.p(), sh = g.stride[0], sw = g.stride[1], OW = g.ow;
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t a = 0; a < g.oh; ++a)
      for (int64_t rh = 0; rh < sh; ++rh) {
        Image* line = x + (c * g.h + a * sh + rh) * g.w;
        T* ph = phases + (c * sh + rh) * sw * P + a * OW;
        if (sw == 2) {  // the common case, both phases in one pass over the row
          T* p0 = ph;
          T* p1 = ph + P;
          for (int64_t b = 0; b < OW; ++b) {
            if constexpr (Merge) {
              line[2 * b] = p0[b];
              line[2 * b + 1] = p1[b];
            } else {
              p0[b] = line[2 * b];
              p1[b] = line[2 * b + 1];
            }
          }
          continue;
        }
        for (int64_t rw = 0; rw < sw; ++rw)
          for (int64_t b = 0; b < OW; ++b) {
            if constexpr (Merge)
              line[b * sw + rw] = ph[rw * P + b];
            else
              ph[rw * P + b] = line[b * sw + rw];
          }
      }
}

// col [K, P] of one image x [C, H, W] through its phases (scratch [C * H * W]).
template <class T>
void im2col_phased(const T* x, T* col, T* scratch, const Geometry& g) {
  const int64_t P = g.p(), phases = g.stride[0] * g.stride[1];
  phase_copy<false>(x, scratch, g);
  for (int64_t i = 0; i < g.kh; ++i)
    for (int64_t j = 0; j < g.kw; ++j) {
      const PhaseTap t = phase_tap(g, i, j);
      const Shift& sh = t.shift;
      for (int64_t c = 0; c < g.c; ++c) {
        const T* plane = scratch + (c * phases + t.phase) * P;
        T* dst = col + ((c * g.kh + i) * g.kw + j) * P;
        if (!t.inside) {
          std::fill(dst, dst + P, T(0));
          continue;
        }
        std::fill(dst, dst + sh.begin, T(0));
        std::copy(plane + sh.from, plane + sh.from + (sh.end - sh.begin), dst + sh.begin);
        std::fill(dst + sh.end, dst + P, T(0));
        clear_wrapped(dst, sh, g.ow);
      }
    }
}

// dx [C, H, W] of one image = im2col_phased's adjoint applied to dcol [K, P] (scratch, as
// col2im's; the phases accumulate in scratch [C * H * W] and are interleaved into dx).
template <class T>
void col2im_phased(T* col, T* dx, T* scratch, const Geometry& g) {
  const int64_t P = g.p(), phases = g.stride[0] * g.stride[1];
  std::fill(scratch, scratch + g.c * g.h * g.w, T(0));
  for (int64_t i = 0; i < g.kh; ++i)
    for (int64_t j = 0; j < g.kw; ++j) {
      const PhaseTap t = phase_tap(g, i, j);
      if (!t.inside) continue;
      const Shift& sh = t.shift;
      for (int64_t c = 0; c < g.c; ++c) {
        T* plane = scratch + (c * phases + t.phase) * P;
        T* src = col + ((c * g.kh + i) * g.kw + j) * P;
        clear_wrapped(src, sh, g.ow);
        T* to = plane + sh.from;
        const T* from = src + sh.begin;
#pragma omp simd
        for (int64_t q = 0; q < sh.end - sh.begin; ++q) to[q] += from[q];
      }
    }
  phase_copy<true>(dx, scratch, g);
}

// col [K, P] of one image x [C, H, W]; scratch holds scratch_size(g) elements.
template <class T>
void im2col(const T* x, T* col, T* scratch, const Geometry& g) {
  if (phased(g)) return im2col_phased(x, col, scratch, g);
  const int64_t P = g.p();
  const bool fast = shifts(g);
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        const T* plane = x + c * g.h * g.w;
        T* dst = col + ((c * g.kh + i) * g.kw + j) * P;
        if (Shift sh; fast && shift_of(g, i, j, &sh)) {
          std::fill(dst, dst + sh.begin, T(0));
          std::copy(plane + sh.from, plane + sh.from + (sh.end - sh.begin), dst + sh.begin);
          std::fill(dst + sh.end, dst + P, T(0));
          clear_wrapped(dst, sh, g.w);
          continue;
        }
        const int64_t off = j * g.dil[1] - g.pad[1];
        int64_t lo, hi;
        g.columns(off, &lo, &hi);
        for (int64_t oh = 0; oh < g.oh; ++oh) {
          const int64_t ih = oh * g.stride[0] - g.pad[0] + i * g.dil[0];
          T* row = dst + oh * g.ow;
          if (ih < 0 || ih >= g.h) {
            std::fill(row, row + g.ow, T(0));
            continue;
          }
          const T* line = plane + ih * g.w + off;
          // Plain loops, not std::copy/fill: rows are a few dozen elements, where the
          // library calls' fixed cost dominates.
          for (int64_t ow = 0; ow < lo; ++ow) row[ow] = T(0);
          if (g.stride[1] == 1) {
#pragma omp simd
            for (int64_t ow = lo; ow < hi; ++ow) row[ow] = line[ow];
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) row[ow] = line[ow * g.stride[1]];
          }
          for (int64_t ow = hi; ow < g.ow; ++ow) row[ow] = T(0);
        }
      }
}

// dx [C, H, W] of one image = the adjoint of im2col applied to dcol [K, P]; scratch as
// im2col's. dcol is scratch too: the shifted path zeroes its wrapped elements so that one long add
// can skip them.
template <class T>
void col2im(T* col, T* dx, T* scratch, const Geometry& g) {
  if (phased(g)) return col2im_phased(col, dx, scratch, g);
  const int64_t P = g.p();
  const bool fast = shifts(g);
  std::fill(dx, dx + g.c * g.h * g.w, T(0));
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        T* plane = dx + c * g.h * g.w;
        T* src = col + ((c * g.kh + i) * g.kw + j) * P;
        if (Shift sh; fast && shift_of(g, i, j, &sh)) {
          clear_wrapped(src, sh, g.w);
          T* to = plane + sh.from;
          const T* from = src + sh.begin;
#pragma omp simd
          for (int64_t q = 0; q < sh.end - sh.begin; ++q) to[q] += from[q];
          continue;
        }
        const int64_t off = j * g.dil[1] - g.pad[1];
        int64_t lo, hi;
        g.columns(off, &lo, &hi);
        for (int64_t oh = 0; oh < g.oh; ++oh) {
          const int64_t ih = oh * g.stride[0] - g.pad[0] + i * g.dil[0];
          if (ih < 0 || ih >= g.h) continue;
          T* line = plane + ih * g.w + off;
          const T* row = src + oh * g.ow;
          if (g.stride[1] == 1)
#pragma omp simd
            for (int64_t ow = lo; ow < hi; ++ow) line[ow] += row[ow];
          else
            for (int64_t ow = lo; ow < hi; ++ow) line[ow * g.stride[1]] += row[ow];
        }
      }
}

// total [len] = the sum of the nt partial results parts [nt, len] (one per thread of a
// convolution's backward pass), in thread order: the result depends on the thread count
// only through rounding.
template <class T>
void sum_partials(const Tensor& parts, int nt, int64_t len, Tensor& total) {
  const T* src = parts.data_ptr<T>();
  T* dst = total.data_ptr<T>();
  std::copy(src, src + len, dst);
  for (int t = 1; t < nt; ++t)
    for (int64_t i = 0; i < len; ++i) dst[i] += src[t * len + i];
}

}  // namespace soma::nn::functional::detail
