#include "soma/dist/data_parallel.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

#include "soma/core/error.hpp"

namespace soma::dist {

void ordered_sum(const std::vector<const float*>& parts, int64_t n, float* out) {
  if (parts.empty()) throw Error("dist::ordered_sum: no parts");
  if (n == 0) return;
  std::memcpy(out, parts[0], static_cast<size_t>(n) * sizeof(float));
  for (size_t p = 1; p < parts.size(); ++p) {
    const float* in = parts[p];
    for (int64_t i = 0; i < n; ++i) out[i] += in[i];
  }
}

namespace {

int64_t shards_for(const Context& ctx, int64_t shards) { return shards == 0 ? ctx.size() : shards; }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Counts that MPI takes as int: a bucket's part must fit.
int as_count(int64_t n) {
  if (n > (int64_t{1} << 30)) throw Error("dist: bucket too large: " + std::to_string(n));
  return static_cast<int>(n);
}

}  // namespace

namespace {
std::vector<Tensor> trained_parameters(nn::Module& model) {
  std::vector<Tensor> out;
  for (const auto& [name, p] : model.named_parameters()) {
    if (!p.requires_grad()) continue;
    if (p.dtype() != kFloat32)
      throw Error("DataParallel: parameter " + name + " is " + dtype_name(p.dtype()) +
                  "; data-parallel training exchanges float32 gradients");
    out.push_back(p);
  }
  return out;
}
}  // namespace

DataParallel::DataParallel(const Context& ctx, nn::Module& model, train::LossFn loss,
                           DataParallelOptions options)
    : DataParallel(ctx, trained_parameters(model), std::move(options)) {
  if (!loss) throw Error("DataParallel: no loss function");
  model_ = &model;
  loss_ = std::move(loss);
}

DataParallel::DataParallel(const Context& ctx, std::vector<Tensor> parameters,
                           DataParallelOptions options)
    : ctx_(ctx),
      options_(std::move(options)),
      sampler_(shards_for(ctx, options_.shards), ctx.rank(), ctx.size()),
      params_(std::move(parameters)) {
  if (options_.bucket_elements < 1)
    throw Error("DataParallel: bucket_elements must be positive, got " +
                std::to_string(options_.bucket_elements));
  for (size_t i = 0; i < params_.size(); ++i) {
    if (params_[i].dtype() != kFloat32)
      throw Error("DataParallel: parameter " + std::to_string(i) + " is " +
                  dtype_name(params_[i].dtype()) +
                  "; data-parallel training exchanges float32 gradients");
    offsets_.push_back(total_);
    total_ += params_[i].numel();
  }
  buffers_.assign(static_cast<size_t>(sampler_.end_shard() - sampler_.first_shard()),
                  std::vector<float>(static_cast<size_t>(total_)));
  summed_.resize(static_cast<size_t>(total_));
  for (size_t i = 0; i < options_.buffers.size(); ++i) {
    const Tensor& b = options_.buffers[i];
    const DType t = b.defined() ? b.dtype() : kFloat32;
    if (!b.defined() || !b.is_contiguous() || (t != kFloat32 && t != kFloat64 && t != kInt64))
      throw Error("DataParallel: buffer " + std::to_string(i) +
                  (b.defined() ? " is " + std::string(dtype_name(t)) +
                                     (b.is_contiguous() ? "" : ", not contiguous")
                               : " is undefined") +
                  "; expected a contiguous float32, float64 or int64 tensor");
    state_total_ += b.numel();
  }
}

void DataParallel::read_state(double* out) const {
  for (const Tensor& b : options_.buffers) {
    const int64_t n = b.numel();
    if (b.dtype() == kFloat32)
      std::copy(b.data_ptr<float>(), b.data_ptr<float>() + n, out);
    else if (b.dtype() == kFloat64)
      std::copy(b.data_ptr<double>(), b.data_ptr<double>() + n, out);
    else
      for (int64_t k = 0; k < n; ++k) out[k] = static_cast<double>(b.data_ptr<int64_t>()[k]);
    out += n;
  }
}

void DataParallel::write_state(const double* in) {
  for (Tensor& b : options_.buffers) {
    const int64_t n = b.numel();
    if (b.dtype() == kFloat32)
      for (int64_t k = 0; k < n; ++k) b.data_ptr<float>()[k] = static_cast<float>(in[k]);
    else if (b.dtype() == kFloat64)
      std::copy(in, in + n, b.data_ptr<double>());
    else
      for (int64_t k = 0; k < n; ++k) b.data_ptr<int64_t>()[k] = std::llround(in[k]);
    in += n;
  }
}

train::BatchGradientFn DataParallel::batch_gradient() {
  return [this](nn::Module&, const Tensor& x, const Tensor& y) { return step(x, y); };
}

double DataParallel::step(const Tensor& x, const Tensor& y) {
  if (!model_) throw Error("DataParallel: step(x, y) needs the model and loss constructor");
  return step(x.size(0), [&](int64_t begin, int64_t end) {
    return loss_((*model_)(x.slice(0, begin, end)), y.slice(0, begin, end));
  });
}

double DataParallel::step(int64_t n, const ShardLossFn& shard_loss) {
  const auto compute_start = std::chrono::steady_clock::now();
  const int64_t first = sampler_.first_shard(), local = sampler_.end_shard() - first;
  // One draw per step from the shared stream keys every shard's own stream.
  Rng* rng = options_.rng;
  uint64_t key = 0;
  Rng::State after{};
  if (rng) key = rng->next_u64(), after = rng->state();

  // Each local shard's mean loss, this rank's stop request, then each local shard's
  // buffers after its forward pass (DataParallelOptions::buffers), which every shard
  // starts from their values before the step.
  const size_t state_at = static_cast<size_t>(local) + 1;
  std::vector<double> record(state_at + static_cast<size_t>(local * state_total_), 0.0);
  std::vector<double> state_before(static_cast<size_t>(state_total_));
  read_state(state_before.data());
  for (int64_t j = 0; j < local; ++j) {
    const int64_t s = first + j;
    const auto [begin, end] = sampler_.rows(n, s);
    std::vector<float>& buf = buffers_[static_cast<size_t>(j)];
    if (begin == end) continue;  // a last batch smaller than the shard count
    for (auto& p : params_) p.set_grad(Tensor());
    if (rng) rng->reseed(key ^ (static_cast<uint64_t>(s + 1) * 0x9E3779B97F4A7C15ULL));
    if (j > 0) write_state(state_before.data());
    Tensor l = shard_loss(begin, end);
    read_state(record.data() + state_at + static_cast<size_t>(j * state_total_));
    record[static_cast<size_t>(j)] = l.item<double>();
    l.backward();
    const float share =
        static_cast<float>(static_cast<double>(end - begin) / static_cast<double>(n));
    for (size_t i = 0; i < params_.size(); ++i) {
      float* dst = buf.data() + offsets_[i];
      const int64_t count = params_[i].numel();
      const Tensor g = params_[i].grad();
      if (!g.defined()) {
        std::fill(dst, dst + count, 0.0f);
        continue;
      }
      const Tensor gc = g.contiguous();
      const float* src = gc.data_ptr<float>();
      for (int64_t k = 0; k < count; ++k) dst[k] = share * src[k];
    }
  }
  if (rng) rng->set_state(after);
  record[static_cast<size_t>(local)] =
      options_.stop_requested && options_.stop_requested() ? 1.0 : 0.0;
  stats_.compute_seconds += seconds_since(compute_start);

  const auto exchange_start = std::chrono::steady_clock::now();
  std::vector<double> all;
  ctx_.allgather(record, all, "the exchange of the batch's losses");
  double loss = 0;
  stop_agreed_ = false;
  for (int r = 0; r < ctx_.size(); ++r) {
    const double* rec = all.data() + static_cast<size_t>(r) * record.size();
    for (int64_t j = 0; j < local; ++j) {
      const auto [begin, end] = sampler_.rows(n, r * local + j);
      if (begin < end) loss += static_cast<double>(end - begin) / static_cast<double>(n) * rec[j];
    }
    stop_agreed_ = stop_agreed_ || rec[local] != 0;
  }
  if (state_total_ > 0) {
    // The shards' buffers, averaged in shard order (all ranks hold every shard's).
    std::vector<double> mean(static_cast<size_t>(state_total_), 0.0);
    int64_t used = 0;
    for (int64_t s = 0; s < sampler_.shards(); ++s) {
      const auto [begin, end] = sampler_.rows(n, s);
      if (begin == end) continue;
      const double* st = all.data() + static_cast<size_t>(s / local) * record.size() + state_at +
                         static_cast<size_t>((s % local) * state_total_);
      for (size_t k = 0; k < mean.size(); ++k) mean[k] += st[k];
      ++used;
    }
    if (used > 0) {
      for (double& v : mean) v /= static_cast<double>(used);
      write_state(mean.data());
    } else {
      write_state(state_before.data());
    }
  }

  exchange_ordered(n);
  stats_.exchange_seconds += seconds_since(exchange_start);
  ++stats_.steps;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor g = empty(params_[i].shape(), kFloat32);
    std::memcpy(g.data_ptr<float>(), summed_.data() + offsets_[i],
                static_cast<size_t>(params_[i].numel()) * sizeof(float));
    params_[i].set_grad(g);
  }
  return loss;
}

void DataParallel::exchange_ordered(int64_t n) {
  const int64_t local = sampler_.end_shard() - sampler_.first_shard();
  auto has_rows = [&](int64_t s) {
    const auto [begin, end] = sampler_.rows(n, s);
    return begin < end;
  };
  if (ctx_.size() == 1) {
    std::vector<const float*> parts;
    for (int64_t s = 0; s < local; ++s)
      if (has_rows(s)) parts.push_back(buffers_[static_cast<size_t>(s)].data());
    ordered_sum(parts, total_, summed_.data());
    return;
  }
  const int ranks = ctx_.size(), me = ctx_.rank();
  const int64_t bucket = options_.bucket_elements;
  const int64_t buckets = (total_ + bucket - 1) / bucket;
  send_.resize(static_cast<size_t>(buckets));
  recv_.resize(static_cast<size_t>(buckets));
  // Rank q owns the slice [offset[q], offset[q] + count[q]) of each bucket.
  struct Plan {
    std::vector<int> count, offset;
  };
  std::vector<Plan> plans(static_cast<size_t>(buckets));
  std::vector<int> a2a(static_cast<size_t>(buckets)), gather(static_cast<size_t>(buckets));
  for (int64_t k = 0; k < buckets; ++k) {
    const int64_t start = k * bucket, len = std::min(bucket, total_ - start);
    Plan& plan = plans[static_cast<size_t>(k)];
    plan.count.resize(static_cast<size_t>(ranks));
    plan.offset.resize(static_cast<size_t>(ranks));
    const DistributedSampler split(ranks, 0, 1);  // the same array_split, over ranks
    for (int q = 0; q < ranks; ++q) {
      const auto [b, e] = split.rows(len, q);
      plan.offset[static_cast<size_t>(q)] = as_count(b);
      plan.count[static_cast<size_t>(q)] = as_count(e - b);
    }
    // To rank q: each local shard's copy of q's slice, in shard order.
    std::vector<float>& send = send_[static_cast<size_t>(k)];
    send.resize(static_cast<size_t>(len * local));
    std::vector<int> send_counts(static_cast<size_t>(ranks)), send_displs(send_counts);
    std::vector<int> recv_counts(send_counts), recv_displs(send_counts);
    int64_t at = 0;
    for (int q = 0; q < ranks; ++q) {
      const int64_t off = plan.offset[static_cast<size_t>(q)],
                    cnt = plan.count[static_cast<size_t>(q)];
      send_displs[static_cast<size_t>(q)] = as_count(at);
      send_counts[static_cast<size_t>(q)] = as_count(cnt * local);
      for (int64_t j = 0; j < local; ++j) {
        const float* src = buffers_[static_cast<size_t>(j)].data() + start + off;
        std::copy(src, src + cnt, send.data() + at);
        at += cnt;
      }
    }
    // From rank p: its shards' copies of my slice; p's shards come before p+1's.
    const int64_t mine = plan.count[static_cast<size_t>(me)];
    std::vector<float>& recv = recv_[static_cast<size_t>(k)];
    recv.resize(static_cast<size_t>(mine * local * ranks));
    for (int p = 0; p < ranks; ++p) {
      recv_counts[static_cast<size_t>(p)] = as_count(mine * local);
      recv_displs[static_cast<size_t>(p)] = as_count(mine * local * p);
    }
    // What leaves this rank: every other rank's slice of each local shard, then this
    // rank's summed slice to each other rank.
    stats_.bytes_sent +=
        static_cast<int64_t>(sizeof(float)) * ((len - mine) * local + mine * (ranks - 1));
    a2a[static_cast<size_t>(k)] = ctx_.start_alltoallv(send.data(), send_counts, send_displs,
                                                       recv.data(), recv_counts, recv_displs);
  }
  for (int64_t k = 0; k < buckets; ++k) {
    ctx_.wait(a2a[static_cast<size_t>(k)], "the exchange of gradients (all-to-all)");
    const Plan& plan = plans[static_cast<size_t>(k)];
    const int64_t mine = plan.count[static_cast<size_t>(me)];
    std::vector<const float*> parts;
    for (int64_t s = 0; s < sampler_.shards(); ++s)
      if (has_rows(s)) parts.push_back(recv_[static_cast<size_t>(k)].data() + s * mine);
    float* bucket_out = summed_.data() + k * bucket;
    ordered_sum(parts, mine, bucket_out + plan.offset[static_cast<size_t>(me)]);
    gather[static_cast<size_t>(k)] = ctx_.start_allgatherv(bucket_out, plan.count, plan.offset);
  }
  for (int64_t k = 0; k < buckets; ++k)
    ctx_.wait(gather[static_cast<size_t>(k)], "the exchange of gradients (all-gather)");
}

}  // namespace soma::dist
