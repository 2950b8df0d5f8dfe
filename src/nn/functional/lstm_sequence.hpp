#pragma once
// One LSTM layer in one direction over a whole sequence, forward and backward written
// out (internal to nn; nn::LSTM calls it once per layer and direction).
#include <cstdint>
#include <vector>

#include "soma/tensor/tensor.hpp"

namespace soma::nn::functional::detail {

// x [T, B, in], h0 and c0 [B, H], w_ih [4H, in], w_hh [4H, H], b_ih and b_hh [4H] (both
// or neither defined); gate rows i, f, g, o as torch. `lengths` is empty (every sample T
// steps) or holds B lengths in [1, T]; `reverse` runs from each sample's last step to
// its first. Returns [T + 2, B, H]: the outputs (zero past a sample's length), then
// h_n, then c_n — one tensor, so one autograd node covers all three.
Tensor lstm_sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& w_ih,
                     const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
                     const std::vector<int64_t>& lengths, bool reverse);

}  // namespace soma::nn::functional::detail
