#include "compiler/staging_pool.h"

#include <algorithm>

namespace df::compiler {

StagingPool::Stager StagingPool::default_stager() {
    return
        [](const StageJob& job) { return stage_skill_folder(job.out_dir, job.name, job.files, job.force); };
}

unsigned StagingPool::workers_for(std::size_t folders) {
    if (folders < 2) return 0;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return std::min({cores, kMaxWorkers, static_cast<unsigned>(std::min<std::size_t>(folders, kMaxWorkers))});
}

StagingPool::StagingPool(unsigned workers, Stager stage) : stage_(std::move(stage)) {
    if (workers > 0) prepare_parallel_staging();  // before any thread exists
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

StagingPool::~StagingPool() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    changed_.notify_all();
    for (auto& thread : threads_) thread.join();
}

std::size_t StagingPool::submit(StageJob job) {
    std::unique_lock lock(mutex_);
    const std::size_t id = next_id_++;
    if (threads_.empty()) {
        lock.unlock();
        auto result = stage_(job);
        lock.lock();
        finished_.emplace(id, std::move(result));
        return id;
    }
    changed_.wait(lock, [this] { return waiting_.size() < kMaxWaiting; });
    waiting_.emplace_back(id, std::move(job));
    changed_.notify_all();
    return id;
}

bool StagingPool::done(std::size_t id) {
    std::lock_guard lock(mutex_);
    return finished_.count(id) > 0;
}

Result<StagedFolder> StagingPool::take(std::size_t id) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return finished_.count(id) > 0; });
    auto node = finished_.extract(id);
    return std::move(node.mapped());
}

void StagingPool::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return closing_ || !waiting_.empty(); });
        if (waiting_.empty()) return;  // closing, and nothing left to stage
        auto [id, job] = std::move(waiting_.front());
        waiting_.pop_front();
        changed_.notify_all();  // room for submit
        lock.unlock();
        auto result = stage_(job);
        job.files.clear();  // the memory goes back now, not when the batch ends
        lock.lock();
        finished_.emplace(id, std::move(result));
        changed_.notify_all();
    }
}

}  // namespace df::compiler
