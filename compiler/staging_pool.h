// Staging skill folders (output.h's first pass) on worker threads while compile goes on reading, checking
// and generating the next workflows. A batch's time is mostly the kernel creating files, and that runs on
// every core at once; the order of what compile prints does not depend on it: the caller takes each
// folder's result by the number submit gave it, in input order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "compiler/generator.h"
#include "compiler/output.h"

namespace df::compiler {

// One folder to stage: stage_skill_folder's arguments.
struct StageJob {
    std::string out_dir, name;
    std::vector<GeneratedFile> files;
    bool force = false;
};

class StagingPool {
  public:
    using Stager = std::function<Result<StagedFolder>(const StageJob&)>;

    // `workers` threads (0: each job is staged by submit itself, on the calling thread). `stage` is
    // stage_skill_folder unless a test wants to control the timing and the failures.
    explicit StagingPool(unsigned workers, Stager stage = default_stager());
    ~StagingPool();  // waits for the jobs still queued; their folders stay staged for the caller to drop
    StagingPool(const StagingPool&) = delete;
    StagingPool& operator=(const StagingPool&) = delete;

    // Queues a job and returns its number (0, 1, 2, … in submit order). Blocks while kMaxWaiting jobs wait
    // for a worker, so that a batch holds a few folders' files in memory, not all of them.
    std::size_t submit(StageJob job);
    // Whether job `id` has been staged (take would not wait).
    bool done(std::size_t id);
    // Job `id`'s result, waiting for it. Each id is taken once.
    Result<StagedFolder> take(std::size_t id);

    // The workers for a batch: one per core (std::thread::hardware_concurrency), at most kMaxWorkers;
    // none for a single folder.
    static unsigned workers_for(std::size_t folders);

    static constexpr unsigned kMaxWorkers = 8;
    static constexpr std::size_t kMaxWaiting = 16;

  private:
    static Stager default_stager();
    void work();

    Stager stage_;
    std::mutex mutex_;
    std::condition_variable changed_;  // a job queued, a job finished, or the pool closing
    std::deque<std::pair<std::size_t, StageJob>> waiting_;
    std::map<std::size_t, Result<StagedFolder>> finished_;
    std::size_t next_id_ = 0;
    bool closing_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace df::compiler
