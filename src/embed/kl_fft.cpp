// FFT-accelerated interpolation for the repulsive half of the t-SNE gradient
// (Linderman, Rachh, Hoskins, Steinerberger, Kluger 2019, "Fast interpolation-based
// t-SNE", and their FIt-SNE code). With the kernel K(y, y') = (1 + |y - y'|^2)^-2 and
// four charges per point (1, y_x, y_y, |y|^2), the sums
//   phi_c(i) = sum_j K(y_i, y_j) charge_c(j)
// give the repulsive force sum_j K_ij (y_i - y_j) = y_i phi_0 - (phi_1, phi_2) and
//   Z = sum_ij (1 + |y_i - y_j|^2)^-1 = sum_i (1 + |y_i|^2) phi_0 - 2 y_i.(phi_1, phi_2) + phi_3 -
//   n.
// The sums are computed by (1) spreading charges to an equispaced grid with Lagrange
// weights (p nodes per box), (2) convolving the grid with K by zero-padded FFT, and
// (3) interpolating the grid potentials back to the points with the same weights.
#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>

#include "attractive.hpp"
#include "soma/core/error.hpp"
#include "soma/embed/gradient.hpp"

namespace soma::embed {

namespace {

// FFTW plans for an M x M real transform, made once per size (planning is not
// thread-safe; executing a plan on other aligned arrays is).
struct Plans {
  fftwf_plan forward = nullptr, backward = nullptr;
};

// The cache owns its plans and destroys them at exit (leak checkers stay quiet).
struct PlanCache {
  std::mutex mutex;
  std::map<int, Plans> plans;
  ~PlanCache() {
    for (auto& [size, p] : plans) {
      fftwf_destroy_plan(p.forward);
      fftwf_destroy_plan(p.backward);
    }
    fftwf_cleanup();
  }
};

Plans plans_for(int M) {
  static PlanCache cache;
  std::lock_guard lock(cache.mutex);
  auto it = cache.plans.find(M);
  if (it != cache.plans.end()) return it->second;
  const size_t real = size_t(M) * M, complex = size_t(M) * (M / 2 + 1);
  float* r = fftwf_alloc_real(real);
  fftwf_complex* c = fftwf_alloc_complex(complex);
  Plans p;
  p.forward = fftwf_plan_dft_r2c_2d(M, M, r, c, FFTW_ESTIMATE);
  p.backward = fftwf_plan_dft_c2r_2d(M, M, c, r, FFTW_ESTIMATE);
  fftwf_free(r);
  fftwf_free(c);
  cache.plans[M] = p;
  return p;
}

struct FloatBuffer {
  float* data = nullptr;
  explicit FloatBuffer(size_t n) : data(fftwf_alloc_real(n)) {}
  ~FloatBuffer() { fftwf_free(data); }
  FloatBuffer(const FloatBuffer&) = delete;
  FloatBuffer& operator=(const FloatBuffer&) = delete;
};
struct ComplexBuffer {
  fftwf_complex* data = nullptr;
  explicit ComplexBuffer(size_t n) : data(fftwf_alloc_complex(n)) {}
  ~ComplexBuffer() { fftwf_free(data); }
  ComplexBuffer(const ComplexBuffer&) = delete;
  ComplexBuffer& operator=(const ComplexBuffer&) = delete;
};

constexpr int kCharges = 4;

// Buffers kept from one call to the next (per thread): touching fresh memory every
// iteration costs more than the FFTs themselves. They only grow.
struct Workspace {
  size_t real_capacity = 0, complex_capacity = 0;
  std::unique_ptr<FloatBuffer> kernel;
  std::unique_ptr<ComplexBuffer> kernel_hat;
  std::unique_ptr<FloatBuffer> grids[kCharges];
  std::unique_ptr<ComplexBuffer> hats[kCharges];
  std::vector<int32_t> gx, gy;
  std::vector<double> wx, wy, rep, attr;
  // The kernel's transform depends only on the grid size and spacing: with a fixed
  // spacing it is reused until the grid grows.
  int kernel_M = 0;
  double kernel_h = 0.0;

  void reserve(size_t real_size, size_t complex_size) {
    if (real_size > real_capacity || complex_size > complex_capacity) kernel_M = 0;
    if (real_size > real_capacity) {
      real_capacity = real_size;
      kernel = std::make_unique<FloatBuffer>(real_size);
      for (auto& g : grids) g = std::make_unique<FloatBuffer>(real_size);
    }
    if (complex_size > complex_capacity) {
      complex_capacity = complex_size;
      kernel_hat = std::make_unique<ComplexBuffer>(complex_size);
      for (auto& h : hats) h = std::make_unique<ComplexBuffer>(complex_size);
    }
  }
};

Workspace& workspace() {
  thread_local Workspace w;
  return w;
}

// The smallest m >= n whose only prime factors are 2, 3 and 5 (fast FFT sizes).
int fft_friendly(int n) {
  for (int m = n;; ++m) {
    int r = m;
    for (int f : {2, 3, 5})
      while (r % f == 0) r /= f;
    if (r == 1) return m;
  }
}

}  // namespace

double kl_divergence_fft(const SparseP& P, const std::vector<double>& Y, std::vector<double>* grad,
                         const FftOptions& options, bool compute_error) {
  const int64_t n = P.n;
  if (static_cast<int64_t>(Y.size()) != 2 * n)
    throw Error("kl_divergence_fft: the FFT method needs a 2-D embedding of the " +
                std::to_string(n) + " points");
  const int p = options.interp_points;
  // Forces are translation invariant: work in coordinates centred on the grid so the
  // charges y and |y|^2 stay small and the float FFTs lose nothing to cancellation.
  if (p < 2 || p > 10) throw Error("fft: interp_points must lie in [2, 10]");

  // One square box over all points, cut into n_boxes x n_boxes boxes of p x p nodes.
  double lo = INFINITY, hi = -INFINITY;
  for (double v : Y) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const double center = (lo + hi) / 2;
  const double extent = std::max(hi - lo, 1e-12);
  lo -= center;
  // Boxes of the requested side; on small embeddings min_boxes narrower ones. The grid
  // may reach past the points (the count is rounded up for a fast FFT size): the fixed
  // side keeps the kernel's transform valid from one iteration to the next.
  if (!(options.boxes_per_unit > 0) || options.min_boxes < 1)
    throw Error("fft: boxes_per_unit and min_boxes must be positive");
  double box_width = 1.0 / options.boxes_per_unit;
  int n_boxes = static_cast<int>(std::ceil(extent / box_width));
  if (n_boxes < options.min_boxes) {
    n_boxes = options.min_boxes;
    box_width = extent / n_boxes;
  }
  // Round the box count up so that the padded FFT size 2 * n_boxes * p is fast.
  while (fft_friendly(2 * n_boxes * p) != 2 * n_boxes * p) ++n_boxes;
  const int N = n_boxes * p;  // grid nodes per dimension
  const int M = 2 * N;        // padded FFT size
  const double h = box_width / p;

  // Lagrange basis on the nodes t_m = (m + 1/2) / p of the unit box.
  std::vector<double> nodes(p), denom(p);
  for (int m = 0; m < p; ++m) nodes[m] = (m + 0.5) / p;
  for (int m = 0; m < p; ++m) {
    double d = 1.0;
    for (int l = 0; l < p; ++l)
      if (l != m) d *= nodes[m] - nodes[l];
    denom[m] = d;
  }
  // Per point: first grid node of its box in x and y, and the p weights in each.
  Workspace& ws = workspace();
  auto& gx = ws.gx;
  auto& gy = ws.gy;
  auto& wx = ws.wx;
  auto& wy = ws.wy;
  gx.resize(n);
  gy.resize(n);
  wx.resize(size_t(n) * p);
  wy.resize(size_t(n) * p);
#pragma omp parallel for schedule(static) if (n > detail::kParallelMin)
  for (int64_t i = 0; i < n; ++i) {
    for (int axis = 0; axis < 2; ++axis) {
      const double u = (Y[2 * i + axis] - center - lo) / box_width;
      const int b = std::clamp(static_cast<int>(u), 0, n_boxes - 1);
      const double local = u - b;
      double* w = (axis == 0 ? wx.data() : wy.data()) + i * p;
      for (int m = 0; m < p; ++m) {
        double num = 1.0;
        for (int l = 0; l < p; ++l)
          if (l != m) num *= local - nodes[l];
        w[m] = num / denom[m];
      }
      (axis == 0 ? gx : gy)[i] = b * p;
    }
  }

  const Plans plans = plans_for(M);
  const size_t real_size = size_t(M) * M, complex_size = size_t(M) * (M / 2 + 1);
  // The kernel on all grid offsets, laid out circularly so that a circular
  // convolution of the zero-padded charges is the linear one.
  ws.reserve(real_size, complex_size);
  FloatBuffer& kernel = *ws.kernel;
  ComplexBuffer& kernel_hat = *ws.kernel_hat;
  if (ws.kernel_M != M || ws.kernel_h != h) {
    ws.kernel_M = M;
    ws.kernel_h = h;
#pragma omp parallel for schedule(static)
    for (int a = 0; a < M; ++a) {
      const int da = a < N ? a : a - M;
      for (int b = 0; b < M; ++b) {
        const int db = b < N ? b : b - M;
        const double r2 = (double(da) * da + double(db) * db) * h * h;
        const double k = 1.0 / (1.0 + r2);
        kernel.data[size_t(a) * M + b] = (a == N || b == N) ? 0.0f : static_cast<float>(k * k);
      }
    }
    fftwf_execute_dft_r2c(plans.forward, kernel.data, kernel_hat.data);
  }

  auto& grids = ws.grids;
  auto& hats = ws.hats;
  const float scale = 1.0f / static_cast<float>(real_size);  // FFTW's c2r is unnormalised
#pragma omp parallel for schedule(static, 1) if (M > 256)
  for (int c = 0; c < kCharges; ++c) {
    float* g = grids[c]->data;
    std::fill(g, g + real_size, 0.0f);
    for (int64_t i = 0; i < n; ++i) {
      const double y0 = Y[2 * i] - center, y1 = Y[2 * i + 1] - center;
      const double q = c == 0 ? 1.0 : c == 1 ? y0 : c == 2 ? y1 : y0 * y0 + y1 * y1;
      for (int a = 0; a < p; ++a) {
        const double qa = q * wx[i * p + a];
        float* row = g + size_t(gx[i] + a) * M + gy[i];
        for (int b = 0; b < p; ++b) row[b] += static_cast<float>(qa * wy[i * p + b]);
      }
    }
    fftwf_execute_dft_r2c(plans.forward, g, hats[c]->data);
    fftwf_complex* x = hats[c]->data;
    for (size_t m = 0; m < complex_size; ++m) {
      const float re = x[m][0] * kernel_hat.data[m][0] - x[m][1] * kernel_hat.data[m][1];
      const float im = x[m][0] * kernel_hat.data[m][1] + x[m][1] * kernel_hat.data[m][0];
      x[m][0] = re * scale;
      x[m][1] = im * scale;
    }
    fftwf_execute_dft_c2r(plans.backward, x, g);
  }

  // Interpolate the four potentials back to the points.
  auto& rep = ws.rep;
  rep.resize(static_cast<size_t>(2 * n));
  double z = 0.0;
#pragma omp parallel for reduction(+ : z) schedule(static) if (n > detail::kParallelMin)
  for (int64_t i = 0; i < n; ++i) {
    double phi[kCharges] = {0, 0, 0, 0};
    for (int a = 0; a < p; ++a)
      for (int b = 0; b < p; ++b) {
        const double w = wx[i * p + a] * wy[i * p + b];
        const size_t at = size_t(gx[i] + a) * M + gy[i] + b;
        for (int c = 0; c < kCharges; ++c) phi[c] += w * grids[c]->data[at];
      }
    const double y0 = Y[2 * i] - center, y1 = Y[2 * i + 1] - center;
    rep[2 * i] = y0 * phi[0] - phi[1];
    rep[2 * i + 1] = y1 * phi[0] - phi[2];
    z += (1.0 + y0 * y0 + y1 * y1) * phi[0] - 2.0 * (y0 * phi[1] + y1 * phi[2]) + phi[3];
  }
  z -= static_cast<double>(n);  // the i == j terms, each 1
  if (grad) {
    auto& attr = ws.attr;
    detail::attractive_forces_2d(P, Y, attr);
    grad->resize(static_cast<size_t>(2 * n));
    for (int64_t m = 0; m < 2 * n; ++m) (*grad)[m] = 4.0 * (attr[m] - rep[m] / z);
  }
  return compute_error ? detail::sparse_kl_2d(P, Y, z) : 0.0;
}

}  // namespace soma::embed
