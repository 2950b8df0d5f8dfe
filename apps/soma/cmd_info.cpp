// soma info: what this build runs on this machine — the version, the CPU and the
// kernels chosen for it (SOMA_CPU), whether equations run as machine code, the BLAS
// and its kernel table, threads, what runs convolutions. What a user pastes into a bug
// report.
#include <cstdio>
#include <string>

#include "registry.hpp"
#include "soma/core/blas.hpp"
#include "soma/core/cpu.hpp"
#include "soma/core/threads.hpp"
#include "soma/core/version.hpp"
#include "soma/dist/context.hpp"
#include "soma/expr/jit.hpp"
#include "soma/nn/functional.hpp"

namespace {

std::string runnable_levels() {
  std::string out;
  for (const auto isa : soma::cpu::runnable())
    out += (out.empty() ? "" : ", ") + std::string(soma::cpu::name(isa));
  return out;
}

void run_info(bool json) {
  namespace cpu = soma::cpu;
  const cpu::Isa active = cpu::active();
  const bool by_env = cpu::chosen_by_environment();
  const std::string blas_core = soma::blas::core();
  if (json) {
    nlohmann::json out = {
        {"version", soma::version()},
        {"cpu", cpu::model()},
        {"kernels", std::string(cpu::name(active))},
        {"kernels_chosen_by", by_env ? "SOMA_CPU" : "cpu"},
        {"kernels_runnable", runnable_levels()},
        {"jit", soma::expr::jit::status()},
        {"blas", soma::blas::library()},
        {"blas_core", blas_core},
        {"blas_threads", soma::blas::threads()},
        {"threads", soma::num_threads()},
        {"cores", soma::hardware_threads()},
        {"mpi", soma::dist::mpi_library()},  // "" when built without MPI
        // "" when built without oneDNN: soma's im2col + BLAS path runs every convolution
        {"convolution", soma::nn::functional::convolution_library()},
    };
    soma::cli::print_json(out);
    return;
  }
  std::printf("soma %s\n", soma::version());
  std::printf("cpu       %s\n", cpu::model().c_str());
  std::printf("kernels   %s, %s\n", cpu::describe(active).c_str(),
              by_env ? "chosen by SOMA_CPU" : "the best this CPU runs");
  std::printf("          runnable here: %s\n", runnable_levels().c_str());
  std::printf("jit       %s\n", soma::expr::jit::status().c_str());
  std::printf("blas      %s\n", soma::blas::library().c_str());
  std::printf("          kernel table %s, %d threads\n",
              blas_core.empty() ? "(not a dynamic-arch OpenBLAS)" : blas_core.c_str(),
              soma::blas::threads());
  std::printf("threads   %d (cores: %d)\n", soma::num_threads(), soma::hardware_threads());
  const std::string mpi = soma::dist::mpi_library();
  std::printf("mpi       %s\n",
              mpi.empty() ? "none (built without MPI: soma train and snn run use one rank)"
                          : (mpi + ": mpirun -np N soma train | snn run | example coba").c_str());
  const std::string conv = soma::nn::functional::convolution_library();
  std::printf("conv      %s\n",
              conv.empty() ? "im2col + BLAS (built without oneDNN)"
                           : (conv + " (float32, 16+ channels; otherwise im2col + BLAS)").c_str());
}

soma::cli::CommandRegistrar reg(
    "info", "Print the version, the CPU kernels chosen (SOMA_CPU), the JIT, the BLAS, threads",
    [](CLI::App& app) {
      auto json = std::make_shared<bool>(false);
      app.add_flag("--json", *json, "Print one JSON object");
      app.callback([json] { run_info(*json); });
    });

}  // namespace
