// Tutorial 001's first part, "Numpy arrays", on soma tensors: shape, ndim and size,
// transpose, reshape, dot and matmul, element-wise products and NumPy's broadcasting
// rules, each line of the tutorial with what soma gives. Where NumPy refuses (a dot
// product of unaligned vectors, shapes (2,3) and (2,) added), soma throws soma::Error
// too; the tutorial's `except:` cells print their own sentence, and soma shows its
// message beside it. tests/reference/numpy_basics.py records NumPy's shapes, values and
// errors for the same lines; the test compares them one by one.
// The tutorial's arrays are int64; soma's matmul works on floating point, so these are
// float64 tensors holding whole numbers, printed as NumPy prints integers. np.tile is
// shown with expand(): in each of the tutorial's tiles the repeated axes have size 1.
// pandas' DataFrame views of the arrays are left out (they print the same numbers).
//
//   soma example numpy-basics [--json]
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "numpy_basics.hpp"
#include "numpy_format.hpp"
#include "soma/core/error.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::examples::numpy_basics {
namespace {

using soma::Tensor;
using soma::examples::numpy_str;
using soma::examples::py_tuple;

Tensor array(std::initializer_list<double> v, soma::Shape shape = {}) {
  Tensor t = soma::tensor(v);
  return shape.size() ? t.reshape(shape) : t;
}

struct Case {
  std::string name;  // as tests/reference/numpy_basics.py names it
  std::string code;  // the tutorial's line
  std::function<Tensor()> run;
  std::string tutorial_says{};  // what the tutorial's `except:` prints, if it refuses
};

std::vector<Case> cases() {
  const Tensor vector_1D = array({4}), v6 = array({1, 2, 3, 4, 5, 6});
  const Tensor matrix = array({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor v1 = array({1, 2, 3, 4, 5}), v2_short = array({2, 4}), v2 = array({2, 4, 1, 1, 1});
  return {
      {"vector_1D", "vector_1D = np.array([4])", [=] { return vector_1D; }},
      {"vector_6", "vector_1D_of_multiple_elements = np.array([1,2,3,4,5,6])", [=] { return v6; }},
      {"vector_6_T", "vector_1D_of_multiple_elements.T", [=] { return v6.t(); }},
      {"matrix", "matrix = np.array([[1, 2, 3], [4, 5, 6]])", [=] { return matrix; }},
      {"matrix_T", "matrix.T", [=] { return matrix.t(); }},
      {"vector_1D_reshape(1,1)", "vector_1D.reshape((1,1))",
       [=] {
         return vector_1D.reshape({1, 1});
       }},
      {"vector_1D_reshape(1,1,1)", "vector_1D.reshape((1,1,1))",
       [=] {
         return vector_1D.reshape({1, 1, 1});
       }},
      {"vector_6_reshape(3,2)", "vector_1D_of_multiple_elements.reshape(3,2)",
       [=] {
         return v6.reshape({3, 2});
       }},
      {"vector_6_reshape(2,3)", "vector_1D_of_multiple_elements.reshape(2, 3)",
       [=] {
         return v6.reshape({2, 3});
       }},
      {"vector_6_reshape(6,1)", "vector_1D_of_multiple_elements.reshape(6, 1)",
       [=] {
         return v6.reshape({6, 1});
       }},
      {"vector_6_reshape(1,6)", "vector_1D_of_multiple_elements.reshape(1, 6)",
       [=] {
         return v6.reshape({1, 6});
       }},
      {"dot([1-5],[2,4])", "np.dot(np.array([1,2,3,4,5]), np.array([2,4]))",
       [=] { return soma::matmul(v1, v2_short); },
       "Not the same number of elements to perform a dot product (must be aligned)"},
      {"dot([1-5],[2,4,1,1,1])", "np.dot(vector1, vector2)  # 1*2 + 2*4 + 3*1 + 4*1 + 5*1",
       [=] { return soma::matmul(v1, v2); }},
      {"dot(1x5,1x5)", "np.dot(vector1.reshape(1,5), vector2.reshape(1,5))",
       [=] {
         return soma::matmul(v1.reshape({1, 5}), v2.reshape({1, 5}));
       },
       "Again, not aligned because in maths you do the transpose of the vector1"},
      {"dot(1x5,(1x5)T)", "np.dot(vector1.reshape(1,5), vector2.reshape(1,5).T)",
       [=] {
         return soma::matmul(v1.reshape({1, 5}), v2.reshape({1, 5}).t());
       }},
      {"matmul(1x5,(1x5)T)", "np.matmul(vector1.reshape(1,5), vector2.reshape(1,5).T)",
       [=] {
         return soma::matmul(v1.reshape({1, 5}), v2.reshape({1, 5}).t());
       }},
      {"v1*v2", "vector1 * vector2", [=] { return v1 * v2; }},
      {"multiply(1x5,1x5)", "np.multiply(vector1.reshape(1,5), vector2.reshape(1,5))",
       [=] {
         return soma::mul(v1.reshape({1, 5}), v2.reshape({1, 5}));
       }},
      {"[1,2,3]+[1,2,3]", "np.array([1,2,3]) + np.array([1,2,3])",
       [] {
         return array({1, 2, 3}) + array({1, 2, 3});
       }},
      {"[2]+[1,2,3]", "np.array([2]) + np.array([1,2,3])",
       [] {
         return array({2}) + array({1, 2, 3});
       }},
      {"tile([2],(3,))", "np.tile(np.array([2]), reps=(3,))",
       [] { return array({2}).expand({3}).contiguous(); }},
      {"[[1]]+[1,2,3]", "np.array([[1]]) + np.array([1,2,3])",
       [] {
         return array({1}, {1, 1}) + array({1, 2, 3});
       }},
      {"[[1],[2]]+[1,2,3]", "np.array([[1], [2]]) + np.array([1,2,3])",
       [] {
         return array({1, 2}, {2, 1}) + array({1, 2, 3});
       }},
      {"tile([1,2,3],(2,1))", "np.tile(np.array([1,2,3]), reps=(2, 1))",
       [] {
         return array({1, 2, 3}).expand({2, 3}).contiguous();
       }},
      {"tile([[1],[2]],(1,3))", "np.tile(np.array([[1], [2]]), reps=(1, 3))",
       [] {
         return array({1, 2}, {2, 1}).expand({2, 3}).contiguous();
       }},
      {"[[1,4,5],[2,2,5]]+[1,2]", "np.array([[1, 4, 5], [2, 2, 5]]) + np.array([1, 2])",
       [] {
         return array({1, 4, 5, 2, 2, 5}, {2, 3}) + array({1, 2});
       },
       "After prepending with 1 the vector2, impossible to match 2 to 3:"},
  };
}

}  // namespace

void run(const soma::cli::ExampleOptions& opt) {
  nlohmann::json results = nlohmann::json::object();
  if (!opt.json) {
    // The tutorial's first cell: print() of two vectors, their shapes, ndim and size.
    const Tensor a = array({4}), b = array({1, 2, 3, 4, 5, 6});
    std::printf("%s %s\n%s %s\n%d %d\n%lld %lld\n\n", numpy_str(a).c_str(), numpy_str(b).c_str(),
                py_tuple(a.shape()).c_str(), py_tuple(b.shape()).c_str(), a.dim(), b.dim(),
                (long long)a.numel(), (long long)b.numel());
  }
  for (const Case& c : cases()) {
    nlohmann::json r;
    std::string text;
    try {
      const Tensor t = c.run();
      std::vector<int64_t> values;
      for (double v : t.contiguous().to_vector<double>()) values.push_back(std::llround(v));
      r = {{"shape", std::vector<int64_t>(t.shape().begin(), t.shape().begin() + t.dim())},
           {"values", values}};
      text = numpy_str(t, true) + "   shape " + py_tuple(t.shape()) + ", ndim " +
             std::to_string(t.dim()) + ", size " + std::to_string(t.numel());
    } catch (const soma::Error& e) {
      r = {{"error", e.what()}};
      text = (c.tutorial_says.empty() ? "" : c.tutorial_says + "\n") + "soma::Error: " + e.what();
    }
    results[c.name] = r;
    if (!opt.json) std::printf(">>> %s\n%s\n\n", c.code.c_str(), text.c_str());
  }
  if (opt.json) soma::cli::print_json({{"cases", results}});
}

}  // namespace soma::examples::numpy_basics

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example numpy-basics` has them as flags).
int main(int argc, char** argv) {
  soma::cli::ExampleOptions opt;
  return soma::cli::example_main(argc, argv, opt, [&] { soma::examples::numpy_basics::run(opt); });
}
#endif
