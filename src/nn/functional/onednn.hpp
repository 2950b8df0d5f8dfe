#pragma once
// Float32 convolutions through oneDNN (Debian's libdnnl-dev), when soma is built with it
// (cmake/Dependencies.cmake, SOMA_HAVE_ONEDNN). conv2d.cpp and conv_transpose2d.cpp try
// these first and run their own im2col + GEMM path where they return false: built without
// oneDNN, turned off (SOMA_ONEDNN=off), or a geometry oneDNN has no kernel for.
//
// Everything is in conv2d's terms (Geometry, im2col.hpp): x [N, C, H, W] -> y [N, O, OH, OW]
// with the weight [O, C, KH, KW], all plain NCHW / OIHW arrays. conv_transpose2d with one
// group is conv2d's adjoint with the same weight, so it runs these with the roles swapped
// (its forward is backward_data, its input gradient forward, its weight gradient
// backward_weights with the output gradient as x).
//
// Threads: soma's, as in its own path: the batch is split into contiguous, equal ranges of
// images over soma::num_threads() (--threads, set_num_threads; parallel_run, whose idle
// threads sleep), and each range runs oneDNN on its thread alone (Debian's oneDNN uses
// OpenMP, whose idle threads spin). Weight gradients of the ranges are summed in thread
// order, so for a given shape and thread count the bits are the same from run to run.
#include <string>

#include "nn/functional/im2col.hpp"

namespace soma::nn::functional::detail::onednn {

// "oneDNN 2.6.3, jit:avx512_core" (the library and the kernel it picks for a typical
// layer on this CPU), "oneDNN 2.6.3, turned off by SOMA_ONEDNN=off", or "" when built
// without it.
std::string describe();

// y = conv2d(x, w) + b (b may be null).
bool forward(const Geometry& g, const float* x, const float* w, const float* b, float* y);
// dx = the gradient with respect to x of <dy, conv2d(x, w)>.
bool backward_data(const Geometry& g, const float* dy, const float* w, float* dx);
// dw (and db, unless null) = the gradients with respect to w and b.
bool backward_weights(const Geometry& g, const float* x, const float* dy, float* dw, float* db);

}  // namespace soma::nn::functional::detail::onednn
