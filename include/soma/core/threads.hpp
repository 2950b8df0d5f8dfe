#pragma once
// One thread count for everything soma runs in parallel: its own loops (OpenMP)
// and the BLAS it calls. The CLI's global --threads sets it; the default is all cores.
#include <functional>

namespace soma {

void set_num_threads(int n);
int num_threads();
int hardware_threads();

// Libraries with their own thread pools (BLAS) register here to follow set_num_threads.
void on_num_threads_changed(std::function<void(int)> listener);

}  // namespace soma
